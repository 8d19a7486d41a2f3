/** Compares what each fault did to the scenarios with the mutation table. Pure, so it is unit-tested. */
import type { ScenarioResult } from '../run/summary.ts';
import type { Expectations } from './expectations.ts';

export interface FaultOutcome {
  /** undefined for the clean lab. */
  fault: string | undefined;
  results: ScenarioResult[];
  /** Set when the run itself could not happen (the fault could not be applied, the lab did not come up). */
  error?: string;
}

export interface MatrixReport {
  /** Every claim seen in the clean run. */
  claims: string[];
  /** fault → claims it failed. */
  killed: Map<string, Set<string>>;
  problems: string[];
  killRate: number;
}

const isBad = (result: ScenarioResult) => result.status === 'failed' || result.status === 'broken';
const firstLine = (message: string | undefined) => (message ?? '').split('\n')[0];

/**
 * A row's message may begin with "may pass: ": the fault fails that claim only on some runs (which
 * endpoint kube-proxy picks, say), so a pass is no finding; a failure must still carry the rest.
 */
const MAY_PASS = 'may pass: ';
const mayPass = (want: string) => want.startsWith(MAY_PASS);
const messagePiece = (want: string) => (mayPass(want) ? want.slice(MAY_PASS.length) : want);

/**
 * `complete`: every fault of the catalogue was run, so a claim no fault failed is a survivor.
 * A run of chosen faults checks their rows alone: the claims they do not reach are no finding.
 */
export function compareMatrix(expectations: Expectations, clean: FaultOutcome, faulted: FaultOutcome[], complete = true): MatrixReport {
  const problems: string[] = [];
  // A claim the lab skips everywhere (@live-only) cannot be failed by a lab fault: it is not counted.
  const claims = [
    ...new Set(
      clean.results
        .filter((result) => result.status !== 'skipped')
        .map((result) => result.claim)
        .filter((claim): claim is string => Boolean(claim)),
    ),
  ].sort();
  for (const result of clean.results.filter(isBad))
    problems.push(`clean lab: [${result.claim}] ${result.name} ${result.status}: ${firstLine(result.message)}`);

  if (clean.error) problems.push(`clean lab: the run failed: ${clean.error}`);
  const killed = new Map<string, Set<string>>();
  for (const outcome of faulted) {
    const fault = outcome.fault as string;
    if (outcome.error) {
      problems.push(`${fault}: the run failed: ${outcome.error}`);
      continue;
    }
    const expected = expectations.get(fault);
    if (!expected) {
      problems.push(`fault ${fault} has no row in the mutation table`);
      continue;
    }
    const failing = outcome.results.filter(isBad);
    killed.set(fault, new Set(failing.map((result) => result.claim ?? result.name)));
    for (const result of failing) {
      const want = result.claim === undefined ? undefined : expected.get(result.claim);
      if (want === undefined)
        problems.push(`${fault}: unexpected failure of [${result.claim}] ${result.name}: ${firstLine(result.message)}`);
      else if (result.status === 'broken')
        problems.push(
          `${fault}: [${result.claim}] ${result.name} broke (an environment error) instead of failing: ${firstLine(result.message)}`,
        );
      else if (messagePiece(want) && !(result.message ?? '').includes(messagePiece(want)))
        problems.push(`${fault}: [${result.claim}] failed, but its message lacks "${messagePiece(want)}": ${firstLine(result.message)}`);
    }
    for (const [claim, want] of expected) {
      if (!failing.some((result) => result.claim === claim) && !mayPass(want))
        problems.push(`${fault}: expected [${claim}] to fail, but it passed`);
    }
    if (failing.length === 0) problems.push(`${fault}: no scenario failed (a fault no claim notices)`);
  }
  for (const fault of expectations.keys()) {
    if (!faulted.some((outcome) => outcome.fault === fault)) problems.push(`the mutation table names fault ${fault}, which was not run`);
  }
  const everKilled = new Set([...killed.values()].flatMap((set) => [...set]));
  const survivors = claims.filter((claim) => !everKilled.has(claim));
  if (complete)
    for (const claim of survivors) problems.push(`[${claim}] is failed by no fault: a claim whose scenario cannot be shown to fail`);
  return { claims, killed, problems, killRate: claims.length ? (claims.length - survivors.length) / claims.length : 0 };
}

/** The matrix as text: a row per claim, a column per fault (numbered, named below), × where the fault failed the claim. */
export function formatMatrix(report: MatrixReport): string {
  const faults = [...report.killed.keys()];
  const numbers = faults.map((_, index) => String(index + 1).padStart(3));
  const header = `${'claim'.padEnd(8)}${numbers.join('')}   killed by`;
  const rows = report.claims.map((claim) => {
    const marks = faults.map((fault) => (report.killed.get(fault)?.has(claim) ? '×' : '·').padStart(3));
    const killers = faults.filter((fault) => report.killed.get(fault)?.has(claim)).length;
    return `${claim.padEnd(8)}${marks.join('')}   ${killers}`;
  });
  const legend = faults.map((fault, index) => `${String(index + 1).padStart(3)} ${fault}`);
  return [
    header,
    ...rows,
    '',
    'faults:',
    ...legend,
    '',
    `kill rate: ${(report.killRate * 100).toFixed(0)}% of ${report.claims.length} claims`,
  ].join('\n');
}
