/**
 * Everything one matrix run proves, as a list of problems: the mutation table (compare.ts),
 * every undo back to clean, and every failed scenario with a diagnosis attached.
 */
import { compareMatrix, type MatrixReport } from './compare.ts';
import type { Expectations } from './expectations.ts';
import type { MatrixRun } from './run.ts';

export { formatMatrix } from './compare.ts';

export function checkMatrix(
  expectations: Expectations,
  run: MatrixRun,
  { complete }: { complete: boolean },
): { report: MatrixReport; problems: string[] } {
  const chosen = new Set(run.faulted.map((outcome) => outcome.fault));
  const rows: Expectations = complete ? expectations : new Map([...expectations].filter(([fault]) => chosen.has(fault)));
  const report = compareMatrix(rows, run.clean, run.faulted, complete);
  const undiagnosed = run.faulted.flatMap((outcome) =>
    outcome.results
      .filter((result) => result.status === 'failed' && !result.attachments?.includes('diagnosis.txt'))
      .map((result) => `${outcome.fault}: [${result.claim}] ${result.name} failed with no diagnosis attached`),
  );
  return { report, problems: [...report.problems, ...run.undoProblems.map((problem) => `undo: ${problem}`), ...undiagnosed] };
}
