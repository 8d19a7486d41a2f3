/**
 * npm run e2e — the main job: choose the target, bring the embedded lab up (or attach), run
 * the features, write the reports, tear down what it set up (also on failure and Ctrl-C).
 * Exit codes: 0 every claim holds, 1 a claim failed, 2 the environment is unusable.
 */
import { rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { EnvironmentError } from '../support/cluster/cluster.ts';
import { E2E_USAGE, UsageError, cucumberArgs, parseE2eArgs } from '../support/run/options.ts';
import { JUNIT_FILE, REPORTS_DIR, RESULTS_DIR, generateReport } from '../support/run/report.ts';
import { openSession, type TargetSession } from '../support/run/session.ts';
import { exitCodeFor, formatSummary, readResults } from '../support/run/summary.ts';
import { chooseTarget } from '../support/target.ts';

const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  const options = parseE2eArgs(process.argv.slice(2));
  const env = { ...process.env, ...(options.target ? { E2E_TARGET: options.target } : {}) };
  const choice = chooseTarget(env);
  log(`podnet-e2e: target ${choice.kind} — ${choice.reason}`);

  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  let session: TargetSession | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // The cucumber child gets the same signal from the terminal; the teardown runs once it exits.
    interrupted = true;
    log(`\n${signal}: stopping the run and cleaning up…`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    session = await openSession(choice, options, log);
    log(session.description);
    if (interrupted) return 130;
    const cucumberExit = await runCucumber(options, { ...env, ...session.env });
    if (interrupted) return 130;
    const results = readResults(RESULTS_DIR);
    log(`\n${formatSummary(results)}`);
    if (options.report) {
      const report = await generateReport();
      log(report.ok ? `\nreport: ${report.path}` : `\nthe HTML report could not be generated:\n${report.output}`);
    }
    log(`results: ${RESULTS_DIR}/, JUnit: ${JUNIT_FILE}`);
    return exitCodeFor(results, cucumberExit);
  } finally {
    await session?.close();
  }
}

async function runCucumber(options: ReturnType<typeof parseE2eArgs>, env: NodeJS.ProcessEnv): Promise<number> {
  const cucumberBin = join(dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  mkdirSync(REPORTS_DIR, { recursive: true });
  const child = execa(process.execPath, ['--import', 'tsx', cucumberBin, ...cucumberArgs(options)], {
    env,
    stdio: 'inherit',
    reject: false,
  });
  const result = await child;
  return result.exitCode ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
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
