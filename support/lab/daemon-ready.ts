/**
 * Starting a long-running process of the lab (a namespace holder, a DNS server, nginx under the
 * kubelet's shim, BIRD, wireguard-go, the API server stand-in), written once: it starts
 * through the command helper (exec/spawner.py), detached, in a session of its own, its output
 * appended to a log file, and it outlives the process that started it (a kept lab stays up).
 * The lab never waits for it again: teardown ends every process inside the lab's namespaces by
 * PID. Starting through the helper, not Node's spawn, spares a fork of the suite's heap per
 * daemon: about 16 of them per lab, at every bring-up and every undo of the mutation matrix.
 */
import { readFileSync } from 'node:fs';
import { startDetachedViaHelper } from '../exec/spawner.ts';
import { isRunning } from './kernel.ts';
import { pauses } from '../pacing.ts';

/** Starts `argv` (already placed in its namespace: `ip netns exec …`) detached; resolves with its PID. */
export function startLabDaemon(argv: string[], logFile: string, options: { cwd?: string } = {}): Promise<number> {
  return startDetachedViaHelper({ argv, log: logFile, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
}

export interface ReadyWait {
  /** Whether it is ready (its log says so, its socket is there). */
  ready: () => boolean | Promise<boolean>;
  timeoutMs: number;
  /** What is waited for, for the error messages: "the mount namespace of node x". */
  what: string;
  /** Its log, whose last lines an error quotes. */
  logFile: string;
}

/**
 * Resolves with `pid` once `ready` holds. When the process has ended first, or the wait timed
 * out, it is killed (by PID) and the promise rejects with what its log said last.
 */
export async function whenReady(pid: number, wait: ReadyWait): Promise<number> {
  const waits = pauses(10, Date.now() + wait.timeoutMs, Date.now, 100);
  for (;;) {
    if (await wait.ready()) return pid;
    const ended = !isRunning(pid);
    const next = ended ? undefined : waits.next();
    if (ended || next?.done) {
      if (!ended) kill(pid);
      throw new Error(
        `${wait.what} ${ended ? 'exited' : `was not ready in ${wait.timeoutMs / 1000} s`}: ${lastLines(wait.logFile) || '(it said nothing)'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, next?.value));
  }
}

/** Whether the log file holds `pattern` yet. */
export function logSays(logFile: string, pattern: RegExp): boolean {
  try {
    return pattern.test(readFileSync(logFile, 'utf8'));
  } catch {
    return false;
  }
}

function lastLines(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '';
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
