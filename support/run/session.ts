/**
 * What a run holds on its target from start to end: for the embedded lab, a lab it brought
 * up (and will tear down) or one it attached to (and will leave); for a cluster, the suite's
 * workloads. `env` tells cucumber workers how to reach the same target.
 */
import { EnvironmentError } from '../domain.ts';
import type { TargetChoice } from '../target.ts';
import { TARGETS, TARGET_ENV } from '../target.ts';
import type { E2eOptions } from './options.ts';
import { DEFAULT_TOPOLOGY, LABS_ENV, formatLabsEnv, labNameFor } from '../topology/catalogue.ts';

export interface TargetSession {
  /** Printed in the run's first lines. */
  description: string;
  env: Record<string, string>;
  /** Undoes what the session set up, unless it was asked to keep it. Safe to call twice. */
  close(): Promise<void>;
}

export async function openSession(
  choice: TargetChoice,
  options: E2eOptions,
  log: (line: string) => void,
  topologies: string[] = [DEFAULT_TOPOLOGY],
  lessons?: string[],
): Promise<TargetSession> {
  if (!TARGETS[choice.kind].breaksOnPurpose && options.faults.length > 0) {
    throw new EnvironmentError(
      `--fault breaks the embedded lab only, and this run targets ${choice.kind}`,
      'add --target netns, or drop --fault',
    );
  }
  return OPENERS[choice.kind](options, log, topologies, lessons);
}

type Opener = (options: E2eOptions, log: (line: string) => void, topologies: string[], lessons?: string[]) => Promise<TargetSession>;

const OPENERS: Record<TargetChoice['kind'], Opener> = {
  netns: openLabSessions,
  kind: (options, log) => openClusterSession(options, log),
};

/**
 * One lab per topology, brought up side by side; if one cannot be built, the others are taken
 * down again. A lab carries the workloads of the selected lessons only, except under faults:
 * a fault is defined against the lab as the whole course builds it.
 */
async function openLabSessions(
  options: E2eOptions,
  log: (line: string) => void,
  topologies: string[],
  lessons?: string[],
): Promise<TargetSession> {
  const { ensurePreflight } = await import('../lab/preflight.ts');
  const { loadLabSpec } = await import('../lab/spec.ts');
  await ensurePreflight(log);
  const base = options.lab ?? loadLabSpec({ topology: DEFAULT_TOPOLOGY }).name;
  const wanted = topologies.length > 0 ? topologies : [DEFAULT_TOPOLOGY];
  const only = options.faults.length > 0 ? undefined : lessons;
  const outcomes = await Promise.allSettled(
    wanted.map((topology) => openLabSession(options, log, topology, labNameFor(base, topology), only)),
  );
  const sessions = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(sessions.map((session) => session.close()));
    throw failed.reason;
  }
  const labs = new Map(wanted.map((topology, index) => [topology, (sessions[index] as TargetSession).env[TARGET_ENV.lab] as string]));
  return {
    description: sessions.map((session) => session.description).join('\n'),
    env: {
      [TARGET_ENV.target]: 'netns',
      [TARGET_ENV.lab]: labs.get(DEFAULT_TOPOLOGY) ?? (labs.values().next().value as string),
      [LABS_ENV]: formatLabsEnv(labs),
    },
    async close() {
      await Promise.all(sessions.map((session) => session.close()));
    },
  };
}

async function openLabSession(
  options: E2eOptions,
  log: (line: string) => void,
  topology: string,
  name: string,
  lessons: string[] | undefined,
): Promise<TargetSession> {
  const { labDown, labUp } = await import('../lab/lab.ts');
  const started = performance.now();
  const { state, created, cleared } = await labUp({
    topology,
    name,
    faults: options.faults,
    keep: options.keep,
    ...(lessons ? { lessons } : {}),
  });
  const ms = Math.round(performance.now() - started);
  if (cleared) log(cleared);
  let closed = false;
  return {
    description: created
      ? `embedded lab "${state.name}" (topology ${topology}) brought up in ${ms} ms (${state.nodes.length} nodes, ${state.pods.length} pods${state.bgp ? `; BGP settled in ${Math.round(state.bgp.convergenceMs)} ms of it` : ''})${state.faults.length ? `, broken on purpose: ${state.faults.join(', ')}` : ''}${options.keep ? ', kept after the run (--keep)' : ''}`
      : `embedded lab "${state.name}" (topology ${topology}) already running (kept on purpose): attached, and left up after the run`,
    env: { [TARGET_ENV.target]: 'netns', [TARGET_ENV.lab]: state.name },
    async close() {
      if (closed || !created || options.keep) return;
      closed = true;
      await labDown(state.name);
      log(`embedded lab "${state.name}" torn down`);
    },
  };
}

async function openClusterSession(options: E2eOptions, log: (line: string) => void): Promise<TargetSession> {
  const { openKindSession } = await import('../cluster/kind/session.ts');
  const { lessonWorkloadDirs, selectedLessons } = await import('./lessons-selected.ts');
  const lessonDirs = lessonWorkloadDirs(await selectedLessons(options));
  return openKindSession({ namespace: options.namespace, context: options.context, keep: options.keep, lessonDirs }, log);
}
