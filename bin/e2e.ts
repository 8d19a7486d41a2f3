/**
 * npm run e2e — the main job: choose the target, bring the embedded lab up (or attach), run
 * the features, write the reports, tear down what it set up (also on failure and Ctrl-C).
 * Exit codes: 0 every claim holds, 1 a claim failed, 2 bad input or an unusable environment,
 * 130 interrupted.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { runCli } from '../support/cli/main.ts';
import { UnknownFaultError } from '../support/lab/faults/faults.ts';
import { planCucumber, prepareCucumber } from '../support/run/cucumber.ts';
import { clearInterrupted, markInterrupted, markInterruptedResults, wasInterrupted } from '../support/run/interrupt.ts';
import { E2E_USAGE, parseE2eArgs } from '../support/run/options.ts';
import { JUNIT_FILE, RESULTS_DIR, generateReport } from '../support/run/report.ts';
import { openSession } from '../support/run/session.ts';
import { exitCodeFor, formatSummary, readResults } from '../support/run/summary.ts';
import { chooseTarget } from '../support/target.ts';

const log = (line: string) => console.log(line);
const INTERRUPTED_EXIT_CODE = 130;
let stopping = false;

async function main(): Promise<number> {
  const options = parseE2eArgs(process.argv.slice(2));
  if (options.help) {
    console.log(E2E_USAGE);
    return 0;
  }
  const env = {
    ...process.env,
    ...(options.target ? { E2E_TARGET: options.target } : {}),
    ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}),
    ...(options.context ? { E2E_CONTEXT: options.context } : {}),
  };
  Object.assign(process.env, env); // the target's session and cucumber's hooks read it
  const choice = chooseTarget(env);
  const plan = await planCucumber(options); // a selection of no scenario is refused before anything is set up

  // Set-up starts at once; everything that ends the run waits for it and undoes it.
  let opening: ReturnType<typeof openSession> | undefined;
  const closeSession = async () => (await opening?.catch(() => undefined))?.close();

  // Cucumber runs in this process. The first Ctrl-C lets the current step end, skips the
  // scenarios still to come, reports them as interrupted and tears down; a second leaves at once.
  // (`on`, not `once`: execa's exit hook re-raises a signal nobody else is listening for.)
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: leaving without cleaning up (the next run, or npm run lab:down, clears the lab)`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    stopping = true;
    markInterrupted(signal);
    log(`\n${signal}: stopping the run and cleaning up once the current step ends… (again to leave at once)`);
  };
  clearInterrupted();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`podnet-e2e: target ${choice.kind} — ${choice.reason}`);
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  try {
    // The topologies the selected scenarios need: one lab each on the embedded target.
    opening = openSession(choice, options, log, plan.topologies, plan.lessons);
    // The target's set-up and the loading of the support code overlap.
    const [opened, cucumber] = await settledBoth(opening, prepareCucumber(plan));
    log(opened.description);
    Object.assign(process.env, opened.env);
    const passed = await cucumber.run();
    if (wasInterrupted()) markInterruptedResults(RESULTS_DIR);
    const results = readResults(RESULTS_DIR);
    log(`\n${formatSummary(results)}`);
    // The lab's teardown and the report's generation overlap.
    const [report] = await Promise.all([options.report ? generateReport() : undefined, opened.close()]);
    if (report) log(report.ok ? `\nreport: ${report.path}` : `\nthe HTML report could not be generated:\n${report.output}`);
    log(`results: ${RESULTS_DIR}/, JUnit: ${JUNIT_FILE}`);
    return stopping ? INTERRUPTED_EXIT_CODE : exitCodeFor(results, passed ? 0 : 1);
  } finally {
    await closeSession();
    clearInterrupted();
    if (stopping) log('cleaned up after the interruption');
  }
}

/** Both results, or the first failure once both have settled (never leaving one still running). */
async function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

runCli(
  async () => {
    try {
      return await main();
    } catch (error) {
      // Bad input or environment found while an interrupted run was ending: still an interruption.
      if (stopping) return INTERRUPTED_EXIT_CODE;
      throw error;
    }
  },
  { usage: E2E_USAGE, usageErrors: [UnknownFaultError] },
);
