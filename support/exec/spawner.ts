/**
 * The client of spawner.py: one helper process per Node process, started on first use, that
 * runs the commands `run()` is given (see spawner.py for why). Requests and replies are JSON
 * lines matched by id. If the helper dies, every command in flight fails with its words and
 * the next command starts a new helper.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const HELPER = resolve(import.meta.dirname, 'spawner.py');

export interface SpawnRequest {
  argv: string[];
  timeoutMs: number;
  input?: string;
  /** Run `inNetns` from inside this lab network namespace instead (see spawner.py); `argv` says the same the long way. */
  netns?: string;
  inNetns?: string[];
}

export interface SpawnReply {
  exitCode: number | null;
  /** The number of the signal that ended the command. */
  signal?: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface Pending {
  resolve: (reply: SpawnReply) => void;
  reject: (error: Error) => void;
  /** A background command's output, as it comes. */
  onOutput?: (stream: 'stdout' | 'stderr', data: string) => void;
}

let helper: { child: ChildProcessWithoutNullStreams; pending: Map<number, Pending> } | undefined;
let nextId = 1;

function startHelper(): NonNullable<typeof helper> {
  const child = spawn('python3', ['-u', HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, Pending>();
  const started = { child, pending };
  let said = '';
  child.stderr.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: SpawnReply & { id: number; error?: string; stream?: 'stdout' | 'stderr'; data?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      said = `${said}\nan unreadable reply: ${line.slice(0, 200)}`;
      return;
    }
    const waiting = pending.get(message.id);
    if (message.stream !== undefined) {
      waiting?.onOutput?.(message.stream, message.data ?? '');
      return;
    }
    pending.delete(message.id);
    if (pending.size === 0) keepAlive(started, false);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message);
  });
  const fail = (why: string) => {
    if (helper === started) helper = undefined;
    for (const waiting of pending.values())
      waiting.reject(new Error(`the command helper (${HELPER}) ${why}${said ? `: ${said.trim()}` : ''}`));
    pending.clear();
  };
  child.on('error', (error) => fail(`could not run: ${error.message} (it needs python3)`));
  // A write to a helper that has just died fails with EPIPE: its commands fail, the process goes on.
  child.stdin.on('error', (error) => fail(`stopped reading: ${error.message}`));
  // 'close', not 'exit': the replies it wrote before it ended are read first.
  child.on('close', (code, signal) => fail(`ended (${signal ?? `exit ${code}`})`));
  keepAlive(started, false);
  return started;
}

type Refable = { ref?: () => void; unref?: () => void };

/** The helper keeps the suite's process alive while a command is in flight, and never once none is. */
function keepAlive({ child }: NonNullable<typeof helper>, inFlight: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Refable[]) (inFlight ? handle.ref : handle.unref)?.call(handle);
}

/** Runs one command through the helper; rejects when it could not be started (ENOENT, EACCES) or the helper died. */
export function spawnViaHelper(request: SpawnRequest): Promise<SpawnReply> {
  return send(request).ended;
}

export interface HelperBackground {
  /** Settles when the command has ended (its reply's stdout and stderr are empty: the output came through onOutput). */
  ended: Promise<SpawnReply>;
  /** Sends a signal (a number, as in the kernel's list) to the command if it still runs. */
  signal(number: number): void;
}

/** Starts a command in the background through the helper; its output comes to `onOutput` as it is written. */
export function startViaHelper(
  request: Omit<SpawnRequest, 'input'>,
  onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
): HelperBackground {
  const { id, ended, child } = send({ ...request, background: true }, onOutput);
  return { ended, signal: (number) => child.stdin.write(`${JSON.stringify({ signal: number, of: id })}\n`) };
}

/**
 * Starts a lab daemon through the helper: in a session of its own, its output appended to `log`,
 * left running when the suite's process ends. Resolves with its PID once it has started.
 */
export async function startDetachedViaHelper(request: { argv: string[]; log: string; cwd?: string }): Promise<number> {
  const reply = (await send({ ...request, timeoutMs: 0, detached: true }).ended) as SpawnReply & { pid?: number };
  if (typeof reply.pid !== 'number') throw new Error(`the command helper started ${request.argv[0]} but named no PID`);
  return reply.pid;
}

function send(
  request: (SpawnRequest & { background?: true }) | (SpawnRequest & { detached: true; log: string; cwd?: string }),
  onOutput?: Pending['onOutput'],
) {
  helper ??= startHelper();
  const started = helper;
  const id = nextId++;
  const ended = new Promise<SpawnReply>((resolvePromise, reject) => {
    if (started.pending.size === 0) keepAlive(started, true);
    started.pending.set(id, { resolve: resolvePromise, reject, ...(onOutput ? { onOutput } : {}) });
    started.child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
  });
  return { id, ended, child: started.child };
}
