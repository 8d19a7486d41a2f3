/**
 * The kubelet of the lab's pods, for the containers that run a real process (nginx, the
 * cluster DNS server, redis): it starts each under the shim (shim.ts), which restarts it when
 * it exits, and reports each container's status as the kubelet does — running or waiting
 * (CrashLoopBackOff), the restarts counted (restartCount, kubectl's RESTARTS), Ready while the
 * process runs (the lab's pods declare no readiness probe it runs; see README).
 *
 * Status is read when asked (the Cluster port's pods and EndpointSlices): a few small files
 * and /proc/<pid>/stat, no process and no polling.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { labFilesDir } from '../cni/node-fs.ts';
import { startLabDaemon } from '../daemon-ready.ts';
import { isRunning } from '../kernel.ts';
import type { LabPod, LabState } from '../model.ts';
import { shimArgv, shimFiles } from './shim.ts';

export function containerStatusDir(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>, container: string): string {
  return join(labFilesDir(labName), 'kubelet', `${pod.namespace}.${pod.name}`, container);
}

/**
 * Forgets every container of the lab: its processes are gone (teardown, or the rebuild of an
 * undo), so is their status. A status file left behind would name a dead shim, and whatever read
 * it before the container started again (kube-proxy's first sync of a rebuilt lab) would take the
 * pod for not Ready.
 */
export function forgetContainers(labName: string): void {
  rmSync(join(labFilesDir(labName), 'kubelet'), { recursive: true, force: true });
}

export interface ContainerStart {
  labName: string;
  pod: Pick<LabPod, 'namespace' | 'name' | 'netns'>;
  container: string;
  argv: string[];
  /** The container's stdout and stderr. */
  logFile: string;
  /** Ready to be called started (a line in its log, its pid file): checked every 25 ms until `timeoutMs`. */
  started: () => boolean;
  what: string;
  timeoutMs?: number;
}

/** Starts a container under the shim; resolves with the shim's PID once `started` holds. */
export async function startContainer(options: ContainerStart): Promise<number> {
  const dir = containerStatusDir(options.labName, options.pod, options.container);
  rmSync(dir, { recursive: true, force: true }); // a rebuilt lab starts its containers afresh
  mkdirSync(dir, { recursive: true });
  const shimPid = await startLabDaemon(['ip', 'netns', 'exec', options.pod.netns, ...shimArgv(dir, options.argv)], options.logFile);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  return new Promise((resolve, reject) => {
    const check = () => {
      let status: ContainerStatus | undefined;
      try {
        status = containerStatus(options.labName, options.pod, options.container);
      } catch (error) {
        stop(shimPid, undefined);
        return reject(error);
      }
      if (status && status.running && options.started()) return resolve(shimPid);
      if (status?.lastExitCode !== undefined || (status && !status.sandbox) || Date.now() > deadline) {
        stop(shimPid, readNumbers(shimFiles(dir).containerPid)?.[0]);
        return reject(new Error(`${options.what} did not start in ${options.pod.netns}: ${tail(options.logFile)}`));
      }
      setTimeout(check, 25);
    };
    check();
  });
}

/** The shim first (nothing restarts), then the container's process group: by their PIDs. */
function stop(shim: number | undefined, container: number | undefined): void {
  for (const target of [shim, container === undefined ? undefined : -container]) {
    try {
      if (target) process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export interface ContainerStatus {
  /** The shim (the container's sandbox, in effect) is there: without it nothing restarts. */
  sandbox: boolean;
  running: boolean;
  restartCount: number;
  /** The last run's exit code, once it exited. */
  lastExitCode?: number;
  /** Why it does not run, as kubectl's STATUS says it. */
  waiting?: 'CrashLoopBackOff' | 'Error';
  ready: boolean;
}

/** The container's status as the kubelet reports it; undefined for a container the lab runs no process for. */
export function containerStatus(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>, container: string): ContainerStatus | undefined {
  const files = shimFiles(containerStatusDir(labName, pod, container));
  const shimPid = readNumbers(files.shimPid)?.[0];
  if (shimPid === undefined) return undefined;
  const sandbox = isRunning(shimPid);
  const pid = readNumbers(files.containerPid)?.[0];
  const running = sandbox && pid !== undefined && isRunning(pid);
  const [restartCount = 0, lastExitCode] = readNumbers(files.restarts) ?? [];
  const runningForMs = running ? startedAgo(files.containerPid) : 0;
  return {
    sandbox,
    running,
    restartCount,
    ...(lastExitCode === undefined ? {} : { lastExitCode }),
    ...(running ? {} : { waiting: sandbox ? 'CrashLoopBackOff' : 'Error' }),
    // Starting for the first time counts as the model says (the lab's bring-up waits for it, and
    // kube-proxy's first sync runs meanwhile). Once it has exited, Ready only once the kubelet
    // has seen it run again: its PLEG relists containers every second (plegRelistPeriod in
    // pkg/kubelet/kubelet.go), so a run that ends within milliseconds, as a crash loop's does,
    // is never reported Ready and its pod never flaps into the EndpointSlice.
    ready: lastExitCode === undefined ? sandbox : runningForMs >= PLEG_RELIST_MS,
  };
}

/** The kubelet's PLEG relist period: how soon it sees that a container started or exited. */
export const PLEG_RELIST_MS = 1_000;

/** How long ago the running process's PID file was put in place, that is, since it started. */
function startedAgo(pidFile: string): number {
  try {
    return Date.now() - statSync(pidFile).mtimeMs;
  } catch {
    return 0; // it exited between the two reads
  }
}

function readNumbers(file: string): number[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // Each file is written whole and renamed into place by the shim: one line of numbers.
  if (!/^\d+( \d+)?\n$/.test(text)) throw new Error(`${file}: not what the kubelet's shim writes: ${JSON.stringify(text)}`);
  return text.trim().split(' ').map(Number);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '(no output)';
  }
}

/** Kills a container's process by its PID, as a crash would (SIGKILL); the kubelet's shim restarts it. */
export function killContainer(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>, container: string): void {
  const pid = readNumbers(shimFiles(containerStatusDir(labName, pod, container)).containerPid)?.[0];
  if (pid === undefined || !isRunning(pid))
    throw new Error(`container ${container} of pod ${pod.namespace}/${pod.name} runs no process to kill`);
  process.kill(pid, 'SIGKILL');
}

/**
 * Waits, bounded, until each container has been restarted at least once since `before` and does
 * not run: a crash loop, as a fault that breaks what a container starts leaves it.
 */
export async function untilCrashLooping(
  labName: string,
  containers: { pod: Pick<LabPod, 'namespace' | 'name'>; container: string; before: number }[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const looping = () =>
    containers.every(({ pod, container, before }) => {
      const status = containerStatus(labName, pod, container);
      return status !== undefined && !status.running && status.restartCount > before;
    });
  while (!looping()) {
    if (Date.now() > deadline)
      throw new Error(
        `not every container was restarting in back-off within ${timeoutMs / 1000} s: ${containers.map((c) => `${c.pod.name}/${c.container}`).join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A container's restart count now (0 for one the lab runs no process for). */
export function restartsOf(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>, container: string): number {
  return containerStatus(labName, pod, container)?.restartCount ?? 0;
}

/**
 * The model with each pod's readiness as the kubelet reports it: what the EndpointSlice
 * controller computes slices from, and so what the Cluster port, kube-proxy's sync and the DNS
 * server read. They read it when they look or sync; nothing watches the processes in between.
 */
export function withKubeletReadiness(state: LabState): LabState {
  return {
    ...state,
    pods: state.pods.map((pod) =>
      pod.containers.every((name) => containerStatus(state.name, pod, name)?.ready !== false) ? pod : { ...pod, ready: false },
    ),
  };
}
