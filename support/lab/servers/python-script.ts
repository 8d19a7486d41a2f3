/**
 * A pod whose container runs `python3 -c <script>` (lesson 13's backend-api: an http.server
 * with the course's secret-looking answers) runs that very script, in the pod's network
 * namespace, its output in a file under the lab's directory. Ready once the pod has a socket
 * listening; ended by PID with every process of the lab's namespaces at teardown.
 */
import { startLabDaemon } from '../daemon-ready.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../exec/run.ts';
import type { LabPod, LabState } from '../model.ts';
import { serverDir } from './servers.ts';

const READY_TIMEOUT_MS = 15_000;

/** The script of a `python3 -c <script>` command, else undefined. */
export function pythonScriptOf(command: readonly string[] | undefined): string | undefined {
  if (!command || command.length !== 3) return undefined;
  const [program, flag, script] = command;
  return /^(\/usr\/bin\/)?python3?$/.test(program ?? '') && flag === '-c' ? script : undefined;
}

function scriptOf(state: LabState, pod: LabPod): string | undefined {
  if (pod.hostNetwork) return undefined;
  const workload = state.spec.workloads.find((candidate) => candidate.name === pod.workload && candidate.namespace === pod.namespace);
  return pythonScriptOf(workload?.command);
}

/** Starts the script of every pod that has one; resolves once each listens. */
export async function startPythonServers(state: LabState, pods: LabPod[]): Promise<void> {
  await Promise.all(
    pods.flatMap((pod) => {
      const script = scriptOf(state, pod);
      return script === undefined ? [] : [startOne(state.name, pod, script)];
    }),
  );
}

async function startOne(labName: string, pod: LabPod, script: string): Promise<void> {
  const dir = serverDir(labName, pod);
  mkdirSync(dir, { recursive: true });
  // -u: its print reaches the log as the container's would reach kubectl logs.
  await startLabDaemon(['ip', 'netns', 'exec', pod.netns, 'python3', '-u', '-c', script], join(dir, 'stdout.log'));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const listening = await run(['ip', 'netns', 'exec', pod.netns, 'ss', '-Hltn'], { where: `pod ${pod.namespace}/${pod.name}` });
    if (listening.stdout.trim()) return;
    if (Date.now() > deadline)
      throw new Error(`the server of pod ${pod.namespace}/${pod.name} did not listen within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
