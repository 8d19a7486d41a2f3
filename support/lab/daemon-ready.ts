/**
 * A lab process started in the background is ready once its stdout says so. Resolves with its
 * PID (the lab ends it by PID at teardown); on a timeout, an early exit or a spawn error the
 * process is killed and the promise rejects with what it said on stderr.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ReadyWait {
  /** A piece of stdout that means ready. */
  marker: string;
  timeoutMs: number;
  /** What is waited for, for the error messages: "the mount namespace of node x". */
  what: string;
  /** The error for an early exit; the default names `what`, the exit code and stderr. */
  exited?: (code: number | null, said: string) => Error;
}

export function whenReady(child: ChildProcessByStdio<null, Readable, Readable>, wait: ReadyWait): Promise<number> {
  return new Promise((resolve, reject) => {
    let said = '';
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`${wait.what} was not ready in ${wait.timeoutMs / 1000} s`)), wait.timeoutMs);
    const finish = (error?: Error) => {
      if (settled) return; // the process exits at teardown, long after it was ready
      settled = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      if (error) {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
        reject(error);
      } else resolve(child.pid as number);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(wait.marker)) finish();
    });
    child.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.once('exit', (code) => finish(wait.exited?.(code, said.trim()) ?? new Error(`${wait.what} exited (${code}): ${said.trim()}`)));
    child.once('error', (error) => finish(error));
  });
}
