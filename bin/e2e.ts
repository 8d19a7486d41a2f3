/**
 * npm run e2e — the main job: choose the target, bring the embedded lab up (or attach), run
 * the features, write the reports, tear down what it set up (also on failure and Ctrl-C).
 * Exit codes: 0 every claim holds, 1 a claim failed, 2 the environment is unusable.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { EnvironmentError } from '../support/cluster/cluster.ts';
import { UnknownFaultError } from '../support/cluster/netns/faults.ts';
import { prepareCucumber } from '../support/run/cucumber.ts';
import { E2E_USAGE, UsageError, parseE2eArgs } from '../support/run/options.ts';
import { JUNIT_FILE, RESULTS_DIR, generateReport } from '../support/run/report.ts';
import { openSession, type TargetSession } from '../support/run/session.ts';
import { exitCodeFor, formatSummary, readResults } from '../support/run/summary.ts';
import { chooseTarget } from '../support/target.ts';

const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  const options = parseE2eArgs(process.argv.slice(2));
  const env = { ...process.env, ...(options.target ? { E2E_TARGET: options.target } : {}), ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) };
  Object.assign(process.env, env); // the target's session and cucumber's hooks read it
  const choice = chooseTarget(env);
  log(`podnet-e2e: target ${choice.kind} — ${choice.reason}`);

  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  let session: TargetSession | undefined;
  // Cucumber runs in this process: on Ctrl-C, tear down what the run set up, then leave.
  // (`on`, not `once`: execa's exit hook re-raises a signal nobody else is listening for.)
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the run and cleaning up…`);
    void (session?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The target's set-up and the loading of the support code overlap.
    const [opened, cucumber] = await Promise.all([openSession(choice, options, log).then((s) => (session = s)), prepareCucumber(options)]);
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
    await session?.close();
  }
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
