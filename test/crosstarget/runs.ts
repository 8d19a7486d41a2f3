/**
 * Runs of the whole suite through the real runner (bin/e2e.ts, as support/mutation/run.ts
 * spawns it), and the comparison of two runs scenario by scenario.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { readResults, type ScenarioResult } from '../../support/run/summary.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export type Target = 'netns' | 'kind';

export interface SuiteRun {
  target: Target;
  exitCode: number;
  results: ScenarioResult[];
  output: string;
  /** Everything the run wrote under its reports folder. */
  reports: string;
  ms: number;
}

export interface SuiteRunOptions {
  /** netns: the lab to attach to (the run leaves it up, as it did not bring it up). */
  lab?: string;
  /** kind: the suite's namespace. */
  namespace?: string;
  /** Added to this process's environment (KUBECONFIG, PATH for the kind target). */
  env?: Record<string, string>;
  /** Feature paths or other runner options; empty runs every feature. */
  args?: string[];
}

/** One run of the features through bin/e2e.ts, its results read back from its own reports folder. */
export async function runSuite(target: Target, options: SuiteRunOptions = {}): Promise<SuiteRun> {
  const reports = mkdtempSync(join(tmpdir(), `podnet-crosstarget-${target}-`));
  const started = performance.now();
  try {
    const args = [
      '--target',
      target,
      '--no-report',
      ...(options.lab ? ['--lab', options.lab] : []),
      ...(options.namespace ? ['--namespace', options.namespace] : []),
      ...(options.args ?? []),
    ];
    const run = await execa(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/e2e.ts'), ...args], {
      cwd: ROOT,
      env: { ...(options.env ?? {}), PODNET_REPORTS_DIR: reports },
      reject: false,
      all: true,
      timeout: 600_000,
    });
    return {
      target,
      exitCode: run.exitCode ?? -1,
      results: readResults(join(reports, 'allure-results')),
      output: String(run.all ?? ''),
      reports: everythingIn(reports),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

/** Every file the run wrote (results, attachments, JUnit), as one text, to look for what must not be there. */
function everythingIn(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8'))
    .join('\n');
}

/** The `@live-only:<reason>` tags the feature files use (a claim the lab cannot answer honestly). */
export function liveOnlyTags(dir = join(ROOT, 'features')): string[] {
  const tags = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.feature')) continue;
    const text = readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    for (const match of text.matchAll(/@live-only(:[^\s]+)?/g)) tags.add(match[0]);
  }
  return [...tags].sort();
}

/** Several runs of one target read as one: every result of each, the worst exit code. */
export function combineRuns(runs: SuiteRun[]): SuiteRun {
  const [first] = runs;
  assert.ok(first, 'no run to combine');
  return {
    target: first.target,
    exitCode: Math.max(...runs.map((run) => run.exitCode)),
    results: runs.flatMap((run) => run.results),
    output: runs.map((run) => run.output).join('\n'),
    reports: runs.map((run) => run.reports).join('\n'),
    ms: runs.reduce((sum, run) => sum + run.ms, 0),
  };
}

export const scenarioKey = (r: ScenarioResult) => `[${r.claim ?? '?'}] ${r.name}`;
export const firstLine = (message: string | undefined) => (message ?? '').split('\n')[0] ?? '';

/** scenario → its statuses (a list, sorted: a name could repeat), whatever order the run took. */
export function verdicts(run: SuiteRun): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const r of run.results) table.set(scenarioKey(r), [...(table.get(scenarioKey(r)) ?? []), r.status].sort());
  return table;
}

/** The whole table, the rows where the two runs disagree marked ✗, for a failure message. */
export function verdictTable(left: SuiteRun, right: SuiteRun): { differ: string[]; text: string } {
  const a = verdicts(left);
  const b = verdicts(right);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const differ: string[] = [];
  const rows = keys.map((key) => {
    const l = (a.get(key) ?? ['absent']).join(',');
    const r = (b.get(key) ?? ['absent']).join(',');
    if (l !== r) differ.push(key);
    return `${l === r ? '  ' : '✗ '}${l.padEnd(8)} ${r.padEnd(8)} ${key}`;
  });
  return { differ, text: [`  ${left.target.padEnd(8)} ${right.target.padEnd(8)} scenario`, ...rows].join('\n') };
}

export function tail(run: SuiteRun, lines = 25): string {
  return `--- ${run.target} run (exit ${run.exitCode}, ${run.ms} ms), last lines:\n${run.output.trim().split('\n').slice(-lines).join('\n')}`;
}

/** Both runs produced results, every scenario has the same verdict in both, and the exit codes agree. */
export function assertSameVerdicts(netns: SuiteRun, kind: SuiteRun): void {
  assert.ok(netns.results.length > 0, `the ${netns.target} run produced no results\n${tail(netns)}`);
  assert.ok(kind.results.length > 0, `the ${kind.target} run produced no results\n${tail(kind)}`);
  const table = verdictTable(netns, kind);
  // What each target said where they disagree: the scenario's first line of error, if it had one.
  const said = (run: SuiteRun, key: string) =>
    run.results.filter((r) => scenarioKey(r) === key).map((r) => `${run.target} ${r.status}: ${firstLine(r.message) || '(no message)'}`);
  const why = table.differ.flatMap((key) => [key, ...said(netns, key), ...said(kind, key)].map((line, i) => (i ? `    ${line}` : line)));
  assert.deepEqual(
    table.differ,
    [],
    `the targets disagree on ${table.differ.length} scenario(s):\n${table.text}\n${why.join('\n')}\n${tail(netns)}\n${tail(kind)}`,
  );
  assert.equal(
    kind.exitCode,
    netns.exitCode,
    `exit codes differ: ${netns.target} ${netns.exitCode}, ${kind.target} ${kind.exitCode}\n${tail(netns)}\n${tail(kind)}`,
  );
}
