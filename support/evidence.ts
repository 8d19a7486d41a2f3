/**
 * Evidence: every command a step ran, and every expectation it checked, rendered for the
 * report. Kept apart from the World so that checks and probes stay plain functions.
 */
import { AssertionError } from 'chai';
import type { ExecResult } from './domain.ts';
import { redact } from './redact.ts';

/** The outcome of one check: what the claim expects, what was seen, and the commands behind it. */
export interface Verdict {
  ok: boolean;
  /** Reads as the rest of "expected …": "every reply from 192.168.1.5 (pod x on n1) to carry TTL 62". */
  expected: string;
  /** Reads as the rest of "saw …": "61, 61, 61". */
  observed: string;
  evidence: ExecResult[];
  /** Extra views for the report (a reachability matrix, a picture of the path). */
  details?: { fileName: string; mediaType: string; body: string | Buffer }[];
}

export function verdict(
  ok: boolean,
  expected: string,
  observed: string,
  evidence: ExecResult[] = [],
  details?: Verdict['details'],
): Verdict {
  return { ok, expected, observed, evidence, ...(details ? { details } : {}) };
}

export function list(values: readonly (string | number)[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

export function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item)) && b.every((item) => a.includes(item));
}

/** What the cluster's API answered, attached to a verdict that rests on it rather than on a command. */
export function listing(name: string, value: unknown): NonNullable<Verdict['details']>[number] {
  return { fileName: `${name}.json`, mediaType: 'application/json', body: JSON.stringify(value, null, 2) };
}

/**
 * A claim that does not hold: the network finding, as opposed to an environment fault.
 * Allure marks errors named *Assertion* as failed (a finding) and any other error as broken
 * (the environment). As chai's AssertionError it carries `expected` and `actual`, the verdict's
 * two sides, which cucumber prints as a diff under the message and Allure shows side by side.
 */
export class ClaimAssertionError extends AssertionError<{ expected: string; actual: string; showDiff: boolean }> {
  constructor(verdict: Verdict) {
    super(verdictMessage(verdict), { expected: redact(verdict.expected), actual: redact(verdict.observed), showDiff: true });
    // chai types `name` as "AssertionError"; reports tell a claim's failure by this name.
    Object.defineProperty(this, 'name', { value: 'ClaimAssertionError', enumerable: false });
    // Cucumber's error formatter keeps only what precedes ": expected" when it prints a diff; a
    // dash instead of the colon keeps the whole message above the diff (and in the reports).
    if (this.stack) this.stack = this.stack.replace(/^[\w]*AssertionError: /, 'ClaimAssertionError — ');
  }
}

export function verdictMessage(verdict: Verdict): string {
  return redact(`expected ${verdict.expected}; saw ${verdict.observed}`);
}

/** A command's evidence as text; credentials a command may print (a kubeconfig, a token) are scrubbed. */
export function formatExec(result: ExecResult): string {
  const status = result.timedOut ? `timed out after ${result.ms} ms` : `exit ${result.exitCode} in ${result.ms} ms`;
  return redact(
    [
      `where:   ${result.where}`,
      `command: ${result.argv.map(quoteArg).join(' ')}`,
      `result:  ${status}`,
      '--- stdout',
      result.stdout.trimEnd() || '(empty)',
      ...(result.stderr.trim() ? ['--- stderr', result.stderr.trimEnd()] : []),
    ].join('\n'),
  );
}

export function formatVerdict(verdict: Verdict): string {
  return redact(
    [`verdict:  ${verdict.ok ? 'holds' : 'DOES NOT HOLD'}`, `expected: ${verdict.expected}`, `observed: ${verdict.observed}`].join('\n'),
  );
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** A short file name for an attachment: "ping podnet-worker" → "ping-podnet-worker.txt". */
export function attachmentName(result: ExecResult): string {
  const command = result.argv[0]?.split('/').pop() ?? 'command';
  const sub = result.argv[0] === 'ip' ? `-${result.argv.filter((a) => !a.startsWith('-'))[1] ?? ''}` : '';
  const where = result.where.replace(/[^\w.-]+/g, '_').slice(0, 60);
  return `${command}${sub}@${where}.txt`;
}
