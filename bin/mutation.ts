/**
 * npm run mutation — the lesson features against the clean lab and against every fault:
 * prints the matrix (faults × claims), the kill rate, and every difference from the table in
 * test/mutation/expected-failures.yaml. Exit code 1 when the table does not hold.
 */
import { parseArgs } from 'node:util';
import { runCli } from '../support/cli/main.ts';
import { UsageError } from '../support/cli/usage-error.ts';
import { FAULTS, findFault, UnknownFaultError } from '../support/lab/faults/faults.ts';
import { compareMatrix, formatMatrix } from '../support/mutation/compare.ts';
import { loadExpectations } from '../support/mutation/expectations.ts';
import { runAll } from '../support/mutation/run.ts';

const USAGE = `usage: npm run mutation [-- --fault <name>]… [--verbose]
  --fault <name>   run only this fault against the clean lab (repeatable; npm run lab:fault -- --list)
  --verbose        print every failed scenario's message`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      fault: { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  values.fault?.forEach(findFault); // an unknown name is bad input, said before any lab is built
  const faults = values.fault ?? FAULTS.map((fault) => fault.name);
  const started = performance.now();
  const { clean, faulted } = await runAll(faults, 2, (outcome) => {
    const failed = outcome.results.filter((result) => result.status === 'failed' || result.status === 'broken');
    console.log(`${(outcome.fault ?? 'clean lab').padEnd(20)} ${failed.length} of ${outcome.results.length} scenarios failed`);
    if (values.verbose)
      for (const result of failed) console.log(`    [${result.claim}] ${result.status}: ${result.message?.split('\n')[0]}`);
  });
  const expectations = loadExpectations();
  const report = compareMatrix(
    values.fault ? new Map([...expectations].filter(([fault]) => faults.includes(fault))) : expectations,
    clean,
    faulted,
  );
  console.log(`\n${formatMatrix(report)}  (${Math.round((performance.now() - started) / 1000)} s)`);
  if (report.problems.length) {
    console.log(`\nthe mutation table does not hold:\n${report.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  console.log('the mutation table holds: every fault fails exactly its claims, and every claim is failed by a fault');
  return 0;
}

runCli(() => main(process.argv.slice(2)), { usage: USAGE, usageErrors: [UsageError, UnknownFaultError] });
