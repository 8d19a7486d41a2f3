/**
 * npm run e2e — the main job: choose the target, bring the embedded lab up (or attach), run
 * the features, write the reports, tear down what it set up (also on failure and Ctrl-C).
 * Exit codes: 0 every claim holds, 1 a claim failed, 2 the environment is unusable.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { EnvironmentError } from '../support/cluster/cluster.ts';
import { UnknownFaultError } from '../support/lab/faults/faults.ts';
import { configureCucumber } from '../support/run/cucumber.ts';
import { E2E_USAGE, UsageError, parseE2eArgs } from '../support/run/options.ts';
import { JUNIT_FILE, RESULTS_DIR, generateReport } from '../support/run/report.ts';
import { openSession } from '../support/run/session.ts';
import { exitCodeFor, formatSummary, readResults } from '../support/run/summary.ts';
import { chooseTarget } from '../support/target.ts';

const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  const options = parseE2eArgs(process.argv.slice(2));
  const env = { ...process.env, ...(options.target ? { E2E_TARGET: options.target } : {}), ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}), ...(options.context ? { E2E_CONTEXT: options.context } : {}) };
  Object.assign(process.env, env); // the target's session and cucumber's hooks read it
  const choice = chooseTarget(env);

  // Set-up starts at once; everything that ends the run waits for it and undoes it.
  let opening: ReturnType<typeof openSession> | undefined;
  const closeSession = async () => (await opening?.catch(() => undefined))?.close();

  // Cucumber runs in this process: on Ctrl-C, tear down what the run set up, then leave.
  // (`on`, not `once`: execa's exit hook re-raises a signal nobody else is listening for.)
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: leaving without cleaning up (npm run lab:down clears the lab)`);
      process.exit(130);
    }
    stopping = true;
    log(`\n${signal}: stopping the run and cleaning up… (again to leave at once)`);
    void closeSession().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`podnet-e2e: target ${choice.kind} — ${choice.reason}`);
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  try {
    // Which topologies the selected scenarios need: one lab each on the embedded target.
    const configured = await configureCucumber(options);
    opening = openSession(choice, options, log, configured.topologies);
    // The target's set-up and the loading of the support code overlap.
    const [opened, cucumber] = await settledBoth(opening, configured.prepare());
    log(opened.description);
    Object.assign(process.env, opened.env);
    const passed = await cucumber.run();
    const results = readResults(RESULTS_DIR);
    log(`\n${formatSummary(results)}`);
    // The lab's teardown and the report's generation overlap.
    const [report] = await Promise.all([options.report ? generateReport() : undefined, opened.close()]);
    if (report) log(report.ok ? `\nreport: ${report.path}` : `\nthe HTML report could not be generated:\n${report.output}`);
    log(`results: ${RESULTS_DIR}/, JUnit: ${JUNIT_FILE}`);
    return exitCodeFor(results, passed ? 0 : 1);
  } finally {
    await closeSession();
  }
}

/** Both results, or the first failure once both have settled (never leaving one still running). */
async function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof UnknownFaultError) {
      console.error(`error: ${error.message}\n${E2E_USAGE}`);
      process.exit(2);
    }
    if (error instanceof EnvironmentError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
