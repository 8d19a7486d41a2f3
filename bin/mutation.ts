/**
 * npm run mutation — the lesson features against the clean lab and against every fault:
 * prints the matrix (faults × claims), the kill rate, and every difference from the table in
 * test/mutation/expected-failures.yaml. Exit code 1 when the table does not hold.
 */
import { parseArgs } from 'node:util';
import { FAULTS } from '../support/lab/faults/faults.ts';
import { compareMatrix, formatMatrix } from '../support/mutation/compare.ts';
import { loadExpectations } from '../support/mutation/expectations.ts';
import { runAll } from '../support/mutation/run.ts';

const { values } = parseArgs({ options: { fault: { type: 'string', multiple: true }, verbose: { type: 'boolean', default: false } } });
const faults = values.fault ?? FAULTS.map((fault) => fault.name);
const started = performance.now();
const { clean, faulted } = await runAll(faults, 2, (outcome) => {
  const failed = outcome.results.filter((result) => result.status === 'failed' || result.status === 'broken');
  console.log(`${(outcome.fault ?? 'clean lab').padEnd(20)} ${failed.length} of ${outcome.results.length} scenarios failed`);
  if (values.verbose) for (const result of failed) console.log(`    [${result.claim}] ${result.status}: ${result.message?.split('\n')[0]}`);
});
const expectations = loadExpectations();
const report = compareMatrix(values.fault ? new Map([...expectations].filter(([fault]) => faults.includes(fault))) : expectations, clean, faulted);
console.log(`\n${formatMatrix(report)}  (${Math.round((performance.now() - started) / 1000)} s)`);
if (report.problems.length) {
  console.log(`\nthe mutation table does not hold:\n${report.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
console.log('the mutation table holds: every fault fails exactly its claims, and every claim is failed by a fault');
