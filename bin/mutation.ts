/**
 * npm run mutation — the lesson features against the clean embedded lab and against every
 * fault: prints the matrix (faults × claims), the kill rate, and every difference from the table
 * in test/mutation/expected-failures.yaml; each fault is undone on a lab kept for the whole run
 * and the lab checked to be back as it was. With --fault, only those faults' rows are checked.
 * Exit code 1 when the table (or an undo) does not hold.
 */
import { parseArgs } from 'node:util';
import { runCli } from '../support/cli/main.ts';
import { UsageError } from '../support/cli/usage-error.ts';
import { FAULTS, findFault, UnknownFaultError } from '../support/lab/faults/faults.ts';
import { checkMatrix, formatMatrix } from '../support/mutation/check.ts';
import { EXPECTATIONS_FILE, loadExpectations } from '../support/mutation/expectations.ts';
import { DEFAULT_WORKERS, runMatrix } from '../support/mutation/run.ts';

const USAGE = `usage: npm run mutation [-- --fault <name>]… [--table <file>] [--workers <n>] [--verbose]
  --fault <name>   run only this fault (and its topologies' clean labs), and check its row alone (repeatable; npm run lab:fault -- --list)
  --table <file>   the mutation table to check against (default: test/mutation/expected-failures.yaml)
  --workers <n>    how many labs run side by side, each in a worker of its own (default ${DEFAULT_WORKERS})
  --verbose        print every failed scenario's message`;

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      fault: { type: 'string', multiple: true },
      table: { type: 'string', default: EXPECTATIONS_FILE },
      workers: { type: 'string', default: String(DEFAULT_WORKERS) },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers takes a whole number from 1, not "${values.workers}"`);
  values.fault?.forEach(findFault); // an unknown name is bad input, said before any lab is built
  const expectations = loadExpectations(values.table);
  const faults = values.fault ?? FAULTS.map((fault) => fault.name);
  const started = performance.now();
  const run = await runMatrix(faults, {
    everyTopology: !values.fault,
    workers,
    onOutcome: (outcome) => {
      const failed = outcome.results.filter((result) => result.status === 'failed' || result.status === 'broken');
      const label = `${outcome.fault ?? 'clean lab'} (${outcome.topology})`;
      const phases = Object.entries(outcome.phases ?? {})
        .map(([phase, ms]) => `${phase} ${seconds(ms)}`)
        .join(', ');
      const took = outcome.ms === undefined ? '' : ` in ${seconds(outcome.ms)} s${phases ? ` (${phases})` : ''}`;
      console.log(
        `${label.padEnd(48)} ${failed.length} of ${outcome.results.length} scenarios failed${took}${outcome.error ? `: ${outcome.error}` : ''}`,
      );
      if (values.verbose && outcome.fault === undefined) {
        const slowest = [...outcome.results].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0)).slice(0, 12);
        for (const result of slowest) console.log(`    slow: ${seconds(result.ms ?? 0)} s [${result.claim}] ${result.name}`);
      }
      const row = outcome.fault === undefined ? undefined : expectations.get(outcome.fault);
      for (const result of failed) {
        // A failure the row does not name is said at once; the whole check follows at the end.
        const unexpected = outcome.fault !== undefined && (result.claim === undefined || !row?.has(result.claim));
        if (values.verbose || unexpected)
          console.log(
            `    ${unexpected ? 'unexpected: ' : ''}[${result.claim}] ${result.status}${result.ms === undefined ? '' : ` after ${seconds(result.ms)} s`}: ${result.message?.split('\n')[0]}`,
          );
      }
    },
  });
  const { report, problems } = checkMatrix(expectations, run, { complete: !values.fault });
  console.log(`\n${formatMatrix(report)}  (${Math.round((performance.now() - started) / 1000)} s)`);
  if (problems.length) {
    console.log(`\nthe mutation table does not hold:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  console.log(
    values.fault
      ? `the rows of ${faults.join(', ')} hold: each fails exactly its claims, and every lab was back to clean after its undo`
      : 'the mutation table holds: every fault fails exactly its claims, every claim is failed by a fault, and every undo brought its lab back to clean',
  );
  return 0;
}

runCli(() => main(process.argv.slice(2)), { usage: USAGE, usageErrors: [UsageError, UnknownFaultError] });
