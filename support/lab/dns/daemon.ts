/**
 * Starts a long-running process of the lab (a DNS server, redis) inside one of the lab's
 * network namespaces, detached, and resolves with its PID once it says it is ready. The lab
 * never waits for it again: teardown ends every process inside the lab's namespaces by PID.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export interface DaemonOptions {
  netns: string;
  argv: string[];
  /** Everything the process prints goes here. */
  logFile: string;
  /** Ready once this matches the log file's content. */
  readyPattern: RegExp;
  what: string;
  readyTimeoutMs?: number;
}

export function startDaemon(options: DaemonOptions): Promise<number> {
  const log = openSync(options.logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', options.netns, ...options.argv], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  return new Promise((resolve, reject) => {
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code ?? -1));
    child.once('error', (error) => reject(error));
    const check = () => {
      let said = '';
      try {
        said = readFileSync(options.logFile, 'utf8');
      } catch {
        // not written yet
      }
      if (options.readyPattern.test(said)) return resolve(child.pid as number);
      if (exited !== undefined || Date.now() > deadline) {
        if (exited === undefined && child.pid) process.kill(child.pid, 'SIGKILL');
        return reject(
          new Error(
            `${options.what} did not start in ${options.netns} (${exited === undefined ? 'not ready in time' : `exit ${exited}`}): ${said.trim().split('\n').slice(-3).join(' / ')}`,
          ),
        );
      }
      setTimeout(check, 25);
    };
    check();
  });
}

/** A Node.js entry point of the lab run with tsx, wherever the suite's working directory is. */
export function tsxArgv(script: string, args: string[]): string[] {
  return [process.execPath, '--import', import.meta.resolve('tsx'), script, ...args];
}
