/**
 * What a run holds on its target from start to end: for the embedded lab, a lab it brought
 * up (and will tear down) or one it attached to (and will leave); for a cluster, the suite's
 * workloads. `env` tells cucumber workers how to reach the same target.
 */
import { EnvironmentError } from '../cluster/cluster.ts';
import type { TargetChoice } from '../target.ts';
import { TARGET_ENV } from '../target.ts';
import type { E2eOptions } from './options.ts';

export interface TargetSession {
  /** Printed in the run's first lines. */
  description: string;
  env: Record<string, string>;
  /** Undoes what the session set up, unless it was asked to keep it. Safe to call twice. */
  close(): Promise<void>;
}

export async function openSession(choice: TargetChoice, options: E2eOptions, log: (line: string) => void): Promise<TargetSession> {
  if (choice.kind === 'kind' && options.faults.length > 0) {
    throw new EnvironmentError('--fault breaks the embedded lab only, and this run targets a cluster', 'add --target netns, or drop --fault');
  }
  return choice.kind === 'netns' ? openLabSession(options, log) : openClusterSession(options, log);
}

async function openLabSession(options: E2eOptions, log: (line: string) => void): Promise<TargetSession> {
  const { ensurePreflight } = await import('../lab/preflight.ts');
  const { labDown, labUp } = await import('../lab/lab.ts');
  await ensurePreflight(log);
  const started = performance.now();
  const { state, created } = await labUp({ name: options.lab, faults: options.faults });
  const ms = Math.round(performance.now() - started);
  let closed = false;
  return {
    description: created
      ? `embedded lab "${state.name}" brought up in ${ms} ms (${state.nodes.length} nodes, ${state.pods.length} pods)${state.faults.length ? `, broken on purpose: ${state.faults.join(', ')}` : ''}${options.keep ? ', kept after the run (--keep)' : ''}`
      : `embedded lab "${state.name}" already running: attached, and left up after the run`,
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
