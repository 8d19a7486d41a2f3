/**
 * Runs a local command with a timeout and returns its evidence record; the one place that
 * spawns processes for the lab and for node shells. Commands run through a helper process
 * (spawner.ts), which starts them far faster than Node's own spawn; background processes
 * too, their output streamed back as it is written.
 */
import { constants } from 'node:os';
import { netnsShortcut } from './netns-shortcut.ts';
import { spawnViaHelper, startViaHelper, type SpawnReply } from './spawner.ts';
import {
  DEFAULT_BACKGROUND_LIFETIME_MS,
  DEFAULT_READY_TIMEOUT_MS,
  EnvironmentError,
  TIMED_OUT_EXIT_CODE,
  type BackgroundOptions,
  type BackgroundProcess,
  type ExecResult,
} from '../domain.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RunOptions {
  where: string;
  timeoutMs?: number;
  input?: string;
}

/** Runs `argv` and reports what happened; a non-zero exit is data, not an exception. */
export async function run(argv: string[], options: RunOptions): Promise<ExecResult> {
  const [file] = argv;
  if (!file) throw new Error('run: empty argv');
  const started = performance.now();
  let result: SpawnReply;
  try {
    result = await spawnViaHelper({
      argv,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...netnsShortcut(argv),
    });
  } catch (error) {
    // The command could not be started at all (ENOENT, EACCES): not a finding about the network.
    throw new Error(`cannot run ${file}: ${(error as Error).message}`);
  }
  const ms = Math.round(performance.now() - started);
  if (process.env.PODNET_EXEC_LOG) process.stderr.write(`[exec ${ms} ms] ${argv.join(' ').slice(0, 160)}\n`);
  return {
    where: options.where,
    argv,
    exitCode: result.timedOut ? TIMED_OUT_EXIT_CODE : (result.exitCode ?? 128 + (result.signal ?? 0)),
    stdout: result.stdout,
    stderr: result.stderr,
    ms,
    timedOut: result.timedOut,
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

/** The exit code the background contract gives: the timeout's, a signal's as a shell reports it, or the process's own. */
function backgroundExitCode(reply: SpawnReply): number {
  if (reply.timedOut) return TIMED_OUT_EXIT_CODE;
  if (reply.exitCode !== null) return reply.exitCode;
  return reply.signal === undefined ? TIMED_OUT_EXIT_CODE : 128 + reply.signal;
}

/**
 * Starts `argv` in the background and resolves once a line of its output matches
 * `readyPattern` (the contract of cluster.ts's BackgroundProcess, as on a live cluster). The
 * process is ended by its own PID, never by name.
 */
export async function startBackground(argv: string[], where: string, options: BackgroundOptions): Promise<BackgroundProcess> {
  if (!argv[0]) throw new Error('startBackground: empty argv');
  const started = performance.now();
  const output = { stdout: '', stderr: '' };
  let onOutput = () => {};
  const command = startViaHelper({ argv, timeoutMs: options.timeoutMs ?? DEFAULT_BACKGROUND_LIFETIME_MS }, (stream, data) => {
    output[stream] += data;
    onOutput();
  });
  let ended: SpawnReply | undefined;
  const endedOrFailed: Promise<SpawnReply> = command.ended.then(
    (reply) => (ended = reply),
    (error: Error): SpawnReply =>
      (ended = { exitCode: null, stdout: '', stderr: `cannot run ${argv[0]}: ${error.message}`, timedOut: false }),
  );
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready after ${readyTimeoutMs} ms`), readyTimeoutMs);
    onOutput = () => {
      const line = `${output.stdout}\n${output.stderr}`.split('\n').find((candidate) => options.readyPattern.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        onOutput = () => {};
        resolve(line);
      }
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      command.signal(constants.signals.SIGKILL);
      const said = `${output.stdout}${output.stderr}${ended?.stderr ?? ''}`.trim();
      reject(
        new EnvironmentError(
          `${argv.join(' ')} on ${where} did not become ready: ${why}; it said: ${said || '(nothing)'}`,
          'check that the command exists and may run there (tcpdump needs NET_RAW/NET_ADMIN), or raise readyTimeoutMs',
        ),
      );
    };
    void endedOrFailed.then((reply) =>
      fail(
        reply.exitCode === null && reply.signal === undefined
          ? 'it could not be started'
          : `exited ${reply.exitCode ?? `on signal ${reply.signal}`} before it was ready`,
      ),
    );
  });
  return {
    where,
    argv,
    readyLine,
    async stop() {
      if (!ended) command.signal(constants.signals.SIGINT);
      const reply = await endedOrFailed;
      return {
        where,
        argv,
        exitCode: backgroundExitCode(reply),
        stdout: output.stdout,
        stderr: `${output.stderr}${reply.stderr}`,
        ms: Math.round(performance.now() - started),
        timedOut: reply.timedOut,
      };
    },
  };
}
