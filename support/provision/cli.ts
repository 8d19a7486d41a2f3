/**
 * `cluster:up` / `cluster:down`: parse the command line, plan, then print the plan (dry run) or
 * check the tools and execute it. Exit codes: 0 done, 1 a step failed, 2 usage or environment.
 */
import { EnvironmentError } from '../domain.ts';
import { DEFAULT_NAMESPACE } from '../cluster/kind/labels.ts';
import { executePlan, execaRunner, StepFailure, type Runner } from './executor.ts';
import { loadFixtures, poolEncapsulations, renderKindConfig } from './manifests.ts';
import { planFacts, renderClaimPlan } from './claims-under-plan.ts';
import { parseCommand, USAGE, UsageError, type Command } from './options.ts';
import { clabKindName, kindContext, planClusterDown, planClusterUp, toolsOf, type DownOptions, type Step, type UpOptions } from './plan.ts';
import { renderPlan, shellQuote } from './render.ts';
import { assertToolsPresent } from './tools.ts';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

export function cleanupCommand(options: { name: string; kubeconfig: string | undefined }): string {
  const file = options.kubeconfig ? ` --kubeconfig ${shellQuote(options.kubeconfig)}` : '';
  return `npm run cluster:down -- --name ${options.name}${file}`;
}

export async function main(argv: string[], io: Io = processIo, runner: Runner = execaRunner): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`cluster: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  const label = `cluster:${command.command}`;
  let clusterMayExist = false;
  try {
    if (command.command === 'up') {
      await up(command.options, command.dryRun, io, runner, () => {
        clusterMayExist = true;
        onInterrupt(io, command.options);
      });
    } else {
      await down(command.options, command.dryRun, io, runner);
    }
    return 0;
  } catch (error) {
    if (error instanceof EnvironmentError) {
      io.err(`${label}: ${error.message}`);
      return 2;
    }
    const message =
      error instanceof StepFailure ? error.message : `unexpected error: ${error instanceof Error ? error.stack : String(error)}`;
    const cleanup = clusterMayExist ? `\nThe cluster may be half-built. To clean up: ${cleanupCommand(command.options)}` : '';
    io.err(`${label}: ${message}${cleanup}`);
    return 1;
  }
}

async function up(options: UpOptions, dryRun: boolean, io: Io, runner: Runner, onClusterMayExist: () => void): Promise<void> {
  const fixtures = await loadFixtures(options.topology);
  const steps = planClusterUp(options, fixtures);
  if (fixtures.clab) options = { ...options, name: clabKindName(fixtures.clab.text) };
  if (dryRun) {
    const installation = steps.find(
      (step): step is Extract<Step, { kind: 'run' }> => step.kind === 'run' && step.stdin?.source.includes('calico-installation') === true,
    );
    const encapsulation = poolEncapsulations(installation?.stdin?.text ?? '').join(', ');
    const title =
      `cluster:up plan: topology ${options.topology}${fixtures.clab ? ` (containerlab, ${fixtures.clab.file})` : ''}, Kind cluster "${options.name}", Kubernetes ${options.k8s}, Calico ${options.calico}, ` +
      `pool encapsulation ${encapsulation}${options.encapsulation ? '' : ' (as in the fixture)'}`;
    io.out(renderPlan(title, steps, toolsOf(steps)));
    const facts = planFacts(
      poolEncapsulations(installation?.stdin?.text ?? ''),
      renderKindConfig(fixtures.kindConfig, { name: options.name, image: 'unused' }).workerCount,
    );
    io.out(await renderClaimPlan(facts));
    return;
  }
  assertToolsPresent(toolsOf(steps), io.env.PATH);
  await executePlan(steps, { runner, log: io.out, onClusterMayExist });
  const file = options.kubeconfig ? `KUBECONFIG=${shellQuote(options.kubeconfig)} ` : '';
  io.out(
    [
      '',
      `Cluster "${options.name}" is ready: Kubernetes ${options.k8s}, Calico ${options.calico}.`,
      `  Look at it:        kubectl${options.kubeconfig ? ` --kubeconfig ${shellQuote(options.kubeconfig)}` : ''} --context ${kindContext(options.name)} get nodes -o wide`,
      `  Run the suite:     ${file}E2E_TARGET=kind npm run e2e${options.namespace === DEFAULT_NAMESPACE ? '' : ` -- --namespace ${options.namespace}`}`,
      `  Delete it:         ${cleanupCommand(options)}`,
    ].join('\n'),
  );
}

async function down(options: DownOptions, dryRun: boolean, io: Io, runner: Runner): Promise<void> {
  const steps = planClusterDown(options);
  if (dryRun) {
    io.out(renderPlan(`cluster:down plan: Kind cluster "${options.name}"`, steps, toolsOf(steps)));
    return;
  }
  assertToolsPresent(toolsOf(steps), io.env.PATH);
  const outcome = await executePlan(steps, { runner, log: io.out });
  io.out(
    outcome === 'nothing-to-do'
      ? `No Kind cluster named "${options.name}": nothing to delete.`
      : `Deleted the Kind cluster "${options.name}".`,
  );
}

/** Ctrl-C while the cluster is being built: say how to clean up (the children get the signal too). */
function onInterrupt(io: Io, options: UpOptions): void {
  if (io !== processIo) return;
  process.once('SIGINT', () => {
    io.err(`\ncluster:up interrupted. The cluster may be half-built. To clean up: ${cleanupCommand(options)}`);
    process.exit(130);
  });
}
