/**
 * Running commands over a transport (a pod exec WebSocket, a `docker exec` client process),
 * independent of which one: to completion with a timeout, or in the background with the
 * port's readiness contract.
 *
 * Background processes and how they are stopped: closing an exec stream does not end the
 * remote process (neither the API server nor `docker exec` forwards a signal). So a
 * background command runs under a tiny wrapper that records its PID and then *execs* it:
 *
 *     sh -c 'echo $$ > "$0" && exec "$@"' /tmp/podnet-e2e-bg-<id>.pid <argv…>
 *
 * The PID in the file is the command's own (exec keeps it), its output is untouched, and
 * `stop()` runs `kill -INT <pid>` through the same transport (tcpdump then prints its
 * summary and exits 0), escalates to KILL after a grace period, and removes the pidfile.
 * This needs `sh`, `cat`, `kill` and a writable /tmp where the command runs (the multitool
 * image and Kind nodes have them).
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import {
  DEFAULT_READY_TIMEOUT_MS,
  EnvironmentError,
  TIMED_OUT_EXIT_CODE,
  type BackgroundOptions,
  type BackgroundProcess,
  type ExecResult,
} from '../../domain.ts';
import { errorText } from '../../redact.ts';

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface Launched {
  /** The exit code; rejects with an EnvironmentError when the transport fails. */
  readonly exit: Promise<number>;
  /** Tears the transport down at once (closes the socket, kills the local client). */
  abort(): void;
}

/** Starts argv where the transport points, streaming its output into the sink. */
export type Launcher = (argv: string[], sink: OutputSink) => Promise<Launched>;

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
export { DEFAULT_READY_TIMEOUT_MS };
export const STOP_GRACE_MS = 5_000;
export { TIMED_OUT_EXIT_CODE };

class Collector implements OutputSink {
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private partial = { stdout: '', stderr: '' };
  private decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  constructor(private readonly onLine?: (line: string) => void) {}
  stdout(chunk: Buffer): void {
    this.out.push(chunk);
    this.lines('stdout', chunk);
  }
  stderr(chunk: Buffer): void {
    this.err.push(chunk);
    this.lines('stderr', chunk);
  }
  private lines(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (!this.onLine) return;
    const parts = (this.partial[stream] + this.decoders[stream].write(chunk)).split(/\r?\n/);
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.onLine(line);
  }
  /** Lines not yet terminated by a newline (checked once the process has ended). */
  flushLines(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] && this.onLine) this.onLine(this.partial[stream]);
      this.partial[stream] = '';
    }
  }
  text(): { stdout: string; stderr: string } {
    return { stdout: Buffer.concat(this.out).toString('utf8'), stderr: Buffer.concat(this.err).toString('utf8') };
  }
}

function tail(text: string, max = 400): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/** Runs argv to completion; a timeout tears the transport down and marks the result. */
export async function runCommand(
  where: string,
  launch: Launcher,
  argv: string[],
  timeoutMs = DEFAULT_EXEC_TIMEOUT_MS,
): Promise<ExecResult> {
  const started = Date.now();
  const sink = new Collector();
  const result = (exitCode: number, timedOut: boolean): ExecResult => ({
    where,
    argv: [...argv],
    exitCode,
    ...sink.text(),
    ms: Date.now() - started,
    timedOut,
  });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const launching = launch(argv, sink);
  try {
    const first = await Promise.race([launching, timeout]);
    if (first === 'timeout') {
      // Still connecting: tear down whatever connects later.
      launching.then(
        (l) => l.abort(),
        () => undefined,
      );
      return result(TIMED_OUT_EXIT_CODE, true);
    }
    const outcome = await Promise.race([first.exit, timeout]);
    if (outcome === 'timeout') {
      first.abort();
      first.exit.catch(() => undefined);
      return result(TIMED_OUT_EXIT_CODE, true);
    }
    return result(outcome, false);
  } finally {
    clearTimeout(timer);
  }
}

/** The wrapper argv that records the command's PID in `pidfile` and execs it. */
export function pidfileWrapper(pidfile: string, argv: string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$0" && exec "$@"', pidfile, ...argv];
}

export interface BackgroundTransport {
  where: string;
  launch: Launcher;
  /** Directory for the pidfile where the command runs. */
  pidDir?: string;
}

/**
 * Starts argv in the background; resolves once a line of its stdout or stderr matches
 * `readyPattern`. On readiness timeout, or if it ends before it is ready, it is ended and
 * the promise rejects with an EnvironmentError that quotes its last output.
 */
export async function startBackgroundCommand(
  transport: BackgroundTransport,
  argv: string[],
  options: BackgroundOptions,
): Promise<BackgroundProcess> {
  const { where, launch } = transport;
  const pidfile = `${transport.pidDir ?? '/tmp'}/podnet-e2e-bg-${randomBytes(6).toString('hex')}.pid`;
  const pattern = new RegExp(options.readyPattern.source, options.readyPattern.flags.replace(/[gy]/g, ''));
  const started = Date.now();

  let readyLine: string | undefined;
  let onReady: (line: string) => void = () => undefined;
  const sink = new Collector((line) => {
    if (readyLine === undefined && pattern.test(line)) {
      readyLine = line;
      onReady(line);
    }
  });

  const launched = await launch(pidfileWrapper(pidfile, argv), sink);
  let exitCode: number | undefined;
  let exitError: unknown;
  const exited = launched.exit.then(
    (code) => {
      sink.flushLines();
      exitCode = code;
    },
    (err) => {
      exitError = err;
    },
  );

  const signal = (sig: 'INT' | 'KILL') =>
    runCommand(where, launch, ['sh', '-c', `kill -${sig} "$(cat "$0")" 2>/dev/null; true`, pidfile], 10_000).catch(() => undefined);
  const waitExit = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  let stopping: Promise<ExecResult> | undefined;
  let lifeTimer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let aborted = false;

  const end = (): Promise<ExecResult> => {
    stopping ??= (async () => {
      clearTimeout(lifeTimer);
      if (exitCode === undefined && exitError === undefined) {
        await signal('INT');
        if (!(await waitExit(STOP_GRACE_MS))) {
          await signal('KILL');
          if (!(await waitExit(2_000))) {
            aborted = true;
            launched.abort();
          }
        }
      }
      await runCommand(where, launch, ['rm', '-f', pidfile], 10_000).catch(() => undefined);
      if (exitError !== undefined && exitCode === undefined && !aborted) throw exitError;
      return {
        where,
        argv: [...argv],
        // The port's contract: a process its lifetime cut off reports the timeout's code, on every target.
        exitCode: timedOut || aborted ? TIMED_OUT_EXIT_CODE : (exitCode ?? TIMED_OUT_EXIT_CODE),
        ...sink.text(),
        ms: Date.now() - started,
        timedOut: timedOut || aborted,
      };
    })();
    return stopping;
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const ready = await new Promise<string | Error>((resolve) => {
    if (readyLine !== undefined) return resolve(readyLine);
    const timer = setTimeout(
      () => resolve(new Error(`no line matched ${options.readyPattern} within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    onReady = (line) => {
      clearTimeout(timer);
      resolve(line);
    };
    void exited.then(() => {
      clearTimeout(timer);
      if (readyLine !== undefined) return resolve(readyLine);
      const why = exitError !== undefined ? errorText(exitError) : `it exited with code ${exitCode} before it was ready`;
      resolve(new Error(why));
    });
  });

  if (ready instanceof Error) {
    await end().catch(() => undefined); // ends it and removes the pidfile
    const out = sink.text();
    throw new EnvironmentError(
      `${argv.join(' ')} on ${where} did not become ready: ${ready.message}; stderr: ${tail(out.stderr) || '(empty)'}; stdout: ${tail(out.stdout) || '(empty)'}`,
      'check that the command exists and may run there (tcpdump needs NET_RAW/NET_ADMIN), or raise readyTimeoutMs',
    );
  }

  if (options.timeoutMs !== undefined) {
    lifeTimer = setTimeout(
      () => {
        timedOut = true;
        void end().catch(() => undefined);
      },
      Math.max(0, options.timeoutMs - (Date.now() - started)),
    );
    lifeTimer.unref?.();
  }

  return {
    where,
    argv: [...argv],
    readyLine: ready,
    stop: end,
  };
}
