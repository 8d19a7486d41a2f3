/**
 * Starts a long-running process of the lab (a DNS server, redis) inside one of the lab's
 * network namespaces, detached, and resolves with its PID once it says it is ready. The lab
 * never waits for it again: teardown ends every process inside the lab's namespaces by PID.
 */
import { logSays, startLabDaemon, whenReady } from '../daemon-ready.ts';

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

export async function startDaemon(options: DaemonOptions): Promise<number> {
  const pid = await startLabDaemon(['ip', 'netns', 'exec', options.netns, ...options.argv], options.logFile);
  return whenReady(pid, {
    ready: () => logSays(options.logFile, options.readyPattern),
    timeoutMs: options.readyTimeoutMs ?? 10_000,
    what: `${options.what} in ${options.netns}`,
    logFile: options.logFile,
  });
}

/** A Node.js entry point of the lab run with tsx, wherever the suite's working directory is. */
export function tsxArgv(script: string, args: string[]): string[] {
  return [process.execPath, '--import', import.meta.resolve('tsx'), script, ...args];
}
