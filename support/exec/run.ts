/**
 * Runs a local command with a timeout and returns its evidence record; the one place that
 * spawns processes for the lab and for node shells.
 */
import { execa } from 'execa';
import { TIMED_OUT_EXIT_CODE, type BackgroundOptions, type BackgroundProcess, type ExecResult } from '../cluster/cluster.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RunOptions {
  where: string;
  timeoutMs?: number;
  input?: string;
}

/** Runs `argv` and reports what happened; a non-zero exit is data, not an exception. */
export async function run(argv: string[], options: RunOptions): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  const started = performance.now();
  const result = await execa(file, args, {
    reject: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    stripFinalNewline: false,
    env: { LC_ALL: 'C' },
  });
  if (result.failed && result.exitCode === undefined && !result.timedOut && result.signal === undefined) {
    // The command could not be started at all (ENOENT, EACCES): not a finding about the network.
    throw new Error(`cannot run ${file}: ${result.originalMessage ?? result.message}`);
  }
  return {
    where: options.where,
    argv,
    exitCode: result.exitCode ?? (result.timedOut ? TIMED_OUT_EXIT_CODE : 128),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    ms: Math.round(performance.now() - started),
    timedOut: Boolean(result.timedOut),
  };
}

/** Like `run`, but a non-zero exit throws with the command's own words. */
export async function runChecked(argv: string[], options: RunOptions): Promise<ExecResult> {
  const result = await run(argv, options);
  if (result.exitCode !== 0) {
    const said = (result.stderr || result.stdout).trim();
    throw new Error(`${argv.join(' ')} (on ${options.where}) exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${said}`);
  }
  return result;
}

/**
 * Starts `argv` in the background and resolves once a line of its output matches
 * `readyPattern`. The process is ended by its own PID, never by name.
 */
export async function startBackground(argv: string[], where: string, options: BackgroundOptions): Promise<BackgroundProcess> {
  const [file, ...args] = argv;
  if (!file) throw new Error('startBackground: empty argv');
  const started = performance.now();
  const child = execa(file, args, {
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 120_000,
    env: { LC_ALL: 'C' },
  });
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const readyLine = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`not ready after ${readyTimeoutMs} ms`), readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((candidate) => options.readyPattern.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} on ${where}: ${why}; it said: ${seen.trim() || '(nothing)'}`));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void child.then((result) => fail(`exited ${result.exitCode ?? result.signal} before it was ready`));
  });
  return {
    where,
    argv,
    readyLine,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const result = await child;
      return {
        where,
        argv,
        exitCode: result.exitCode ?? 0,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        ms: Math.round(performance.now() - started),
        timedOut: Boolean(result.timedOut),
      };
    },
  };
}
