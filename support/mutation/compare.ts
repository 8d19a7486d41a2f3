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

export function compareMatrix(expectations: Expectations, clean: FaultOutcome, faulted: FaultOutcome[]): MatrixReport {
  const problems: string[] = [];
  const claims = [...new Set(clean.results.map((result) => result.claim).filter((claim): claim is string => Boolean(claim)))].sort();
  for (const result of clean.results.filter(isBad)) problems.push(`clean lab: [${result.claim}] ${result.name} ${result.status}: ${result.message ?? ''}`);

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
      if (want === undefined) problems.push(`${fault}: unexpected failure of [${result.claim}] ${result.name}: ${result.message ?? ''}`);
      else if (result.status === 'broken') problems.push(`${fault}: [${result.claim}] ${result.name} broke (an environment error) instead of failing: ${result.message ?? ''}`);
      else if (want && !(result.message ?? '').includes(want)) problems.push(`${fault}: [${result.claim}] failed, but its message lacks "${want}": ${result.message ?? ''}`);
    }
    for (const claim of expected.keys()) {
      if (!failing.some((result) => result.claim === claim)) problems.push(`${fault}: expected [${claim}] to fail, but it passed`);
    }
    if (failing.length === 0) problems.push(`${fault}: no scenario failed (a fault no claim notices)`);
  }
  for (const fault of expectations.keys()) {
    if (!faulted.some((outcome) => outcome.fault === fault)) problems.push(`the mutation table names fault ${fault}, which was not run`);
  }
  const everKilled = new Set([...killed.values()].flatMap((set) => [...set]));
  const survivors = claims.filter((claim) => !everKilled.has(claim));
  for (const claim of survivors) problems.push(`[${claim}] is failed by no fault: a claim whose scenario cannot be shown to fail`);
  return { claims, killed, problems, killRate: claims.length ? (claims.length - survivors.length) / claims.length : 0 };
}

/** The matrix as text: one row per fault, one column per claim, × where the fault failed the claim. */
export function formatMatrix(report: MatrixReport): string {
  const width = Math.max(...[...report.killed.keys()].map((fault) => fault.length), 5);
  const header = `${'fault'.padEnd(width)}  ${report.claims.map((claim) => claim.padStart(6)).join(' ')}`;
  const rows = [...report.killed.entries()].map(
    ([fault, claims]) => `${fault.padEnd(width)}  ${report.claims.map((claim) => (claims.has(claim) ? '×' : '·').padStart(6)).join(' ')}`,
  );
  return [header, ...rows, '', `kill rate: ${(report.killRate * 100).toFixed(0)}% of ${report.claims.length} claims`].join('\n');
}
