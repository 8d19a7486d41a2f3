/**
 * BIRD and FRR as the lab's own processes: started inside the lab's namespaces with every file
 * (configuration, control sockets, PID files, logs) under the lab's directory, never the
 * machine's /etc/bird, /etc/frr or /run/frr; ended by the PIDs they were started with.
 *
 * `ip netns exec` replaces itself with the daemon (execvp), so the PID of the spawned process
 * is the daemon's. Daemons run in the foreground (no -d / no fork) for that reason.
 *
 * FRR (8.4, Debian) refuses to start as root unless root is in its vty group, so its daemons
 * drop to the `frr` user as packaged, and their directory belongs to that user. vtysh finds
 * them through `--vty_socket <dir>`; zebra and bgpd meet at `-z <dir>/zserv.api`.
 */
import { startLabDaemon } from '../daemon-ready.ts';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { run } from '../../exec/run.ts';
import type { ExecResult } from '../../domain.ts';
import { labFilesDir } from '../cni/node-fs.ts';
import { endPids, isRunning } from '../kernel.ts';
import { pauses } from '../../pacing.ts';
import { stateDir } from '../state.ts';

export const BIRD = 'bird';
export const BIRDC = 'birdc';
export const FRR_DAEMON_DIR = '/usr/lib/frr';
export const VTYSH = 'vtysh';

export function bgpDir(labName: string, speaker: string): string {
  return join(labFilesDir(labName), 'bgp', speaker);
}

const shortHash = (text: string, length: number) => createHash('sha1').update(text).digest('hex').slice(0, length);

/**
 * Where a lab's daemons put their control sockets: a Unix socket's path may not exceed 107
 * bytes, which the lab's own directory and Kubernetes node names easily do, so the sockets live
 * in a short directory named after a hash of the lab's name (removed with the lab's files).
 */
export function bgpSocketsDir(labName: string): string {
  return join(stateDir(), `sock-${shortHash(labName, 12)}`);
}

function socketDir(labName: string, speaker: string): string {
  return join(bgpSocketsDir(labName), shortHash(speaker, 8));
}

export function removeBgpSockets(labName: string): void {
  rmSync(bgpSocketsDir(labName), { recursive: true, force: true });
}

export interface BirdFiles {
  dir: string;
  config: string;
  socket: string;
  log: string;
}

export function birdFiles(labName: string, node: string): BirdFiles {
  const dir = bgpDir(labName, node);
  return { dir, config: join(dir, 'bird.conf'), socket: join(socketDir(labName, node), 'bird.ctl'), log: join(dir, 'bird.log') };
}

export interface FrrFiles {
  /** Configuration, PID files and logs. */
  dir: string;
  config: string;
  /** The vty sockets (vtysh --vty_socket) and zebra's API socket. */
  sockets: string;
  zserv: string;
}

export function frrFiles(labName: string, router: string): FrrFiles {
  const dir = bgpDir(labName, router);
  const sockets = socketDir(labName, router);
  return { dir, config: join(dir, 'frr.conf'), sockets, zserv: join(sockets, 'zserv.api') };
}

/** Starts `argv` inside `netns`, detached, its output in `log` (a file, not a pipe: the daemon outlives this process); returns its PID. */
function startIn(netns: string, argv: string[], log: string): Promise<number> {
  writeFileSync(log, '');
  return startLabDaemon(['ip', 'netns', 'exec', netns, ...argv], log);
}

/**
 * Polls `ready` until it holds or `timeoutMs` passes; says what it waited for. The pauses start
 * at 20 ms (a daemon's socket appears within a few) and grow up to 200 ms (pacing.ts): BGP settles
 * over seconds of its timers, and one look at it runs birdc on every node and vtysh four times,
 * so looking every 20 ms kept a core busy for the whole wait.
 */
export async function waitUntil(
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<number> {
  const started = performance.now();
  const waits = pauses(20, Date.now() + timeoutMs, Date.now, 200);
  for (;;) {
    if (await ready()) return performance.now() - started;
    const wait = waits.next();
    if (wait.done) throw new Error(`${what}: not within ${timeoutMs} ms${detail() ? ` (${detail()})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, wait.value));
  }
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
};

/** Starts BIRD on a node with `config`; resolves once its control socket answers. */
export async function startBird(labName: string, node: { name: string; netns: string }, config: string): Promise<number> {
  const files = birdFiles(labName, node.name);
  mkdirSync(files.dir, { recursive: true });
  mkdirSync(dirname(files.socket), { recursive: true });
  writeFileSync(files.config, config);
  rmSync(files.socket, { force: true });
  const pid = await startIn(node.netns, [BIRD, '-f', '-c', files.config, '-s', files.socket], files.log);
  try {
    await waitUntil(
      `BIRD on node ${node.name}`,
      () => {
        if (!isRunning(pid)) throw new Error(`BIRD on node ${node.name} exited: ${tail(files.log)}`);
        return existsSync(files.socket);
      },
      5_000,
    );
  } catch (error) {
    await endPids([pid]);
    throw error;
  }
  return pid;
}

/** Makes a running BIRD re-read its (rewritten) configuration, as confd does on every change. */
export async function reconfigureBird(labName: string, node: { name: string; netns: string }, config: string): Promise<ExecResult> {
  const files = birdFiles(labName, node.name);
  writeFileSync(files.config, config);
  const result = await birdc(labName, node.name, ['configure']);
  if (result.exitCode !== 0 || !/Reconfigur|Reconfiguration in progress|Reconfigured/.test(result.stdout)) {
    throw new Error(`BIRD on node ${node.name} refused its new configuration: ${result.stdout.trim()} ${result.stderr.trim()}`);
  }
  return result;
}

/** birdc against a node's BIRD (the socket is a file; no namespace is needed to reach it). */
export function birdc(labName: string, node: string, args: string[]): Promise<ExecResult> {
  return run([BIRDC, '-s', birdFiles(labName, node).socket, ...args], { where: `BIRD on node ${node}`, timeoutMs: 10_000 });
}

function frrUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('frr:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('FRR is not installed (no user frr): apt-get install -y frr');
  return { uid: Number(uid), gid: Number(gid) };
}

export const FRR_DAEMONS = ['zebra', 'bgpd', 'staticd'] as const;

/** Starts zebra, bgpd and staticd in the router's namespace; resolves with their PIDs once each vty answers. */
export async function startFrr(labName: string, router: { name: string; netns: string }, config: string): Promise<number[]> {
  const files = frrFiles(labName, router.name);
  rmSync(files.dir, { recursive: true, force: true });
  rmSync(files.sockets, { recursive: true, force: true });
  mkdirSync(files.dir, { recursive: true });
  mkdirSync(files.sockets, { recursive: true });
  writeFileSync(files.config, config);
  const { uid, gid } = frrUser();
  chownSync(files.dir, uid, gid);
  chownSync(files.sockets, uid, gid);
  chownSync(files.config, uid, gid);
  const pids: number[] = [];
  try {
    for (const daemon of FRR_DAEMONS) {
      const log = join(files.dir, `${daemon}.out`);
      const argv = [
        join(FRR_DAEMON_DIR, daemon),
        '-f',
        files.config,
        '-i',
        join(files.dir, `${daemon}.pid`),
        '-z',
        files.zserv,
        '--vty_socket',
        files.sockets,
        '-P',
        '0',
      ];
      const pid = await startIn(router.netns, argv, log);
      pids.push(pid);
      const vty = join(files.sockets, `${daemon}.vty`);
      await waitUntil(
        `FRR ${daemon} on ${router.name}`,
        () => {
          if (!isRunning(pid)) throw new Error(`FRR ${daemon} on ${router.name} exited: ${tail(log)}`);
          return existsSync(vty) && (daemon !== 'zebra' || existsSync(files.zserv));
        },
        10_000,
      );
    }
  } catch (error) {
    await endPids(pids);
    throw error;
  }
  return pids;
}

/**
 * vtysh against the lab's router. Several commands go in one call, answered one after another:
 * vtysh's start costs some 60 ms of CPU, ten times what its answer does.
 */
export function vtysh(labName: string, router: string, command: string | string[]): Promise<ExecResult> {
  const commands = typeof command === 'string' ? [command] : command;
  return run([VTYSH, '--vty_socket', frrFiles(labName, router).sockets, ...commands.flatMap((each) => ['-c', each])], {
    where: `FRR on ${router}`,
    timeoutMs: 10_000,
  });
}

/** Applies configuration lines on the running router (`configure terminal`, then each line). */
export async function configureFrr(labName: string, router: string, lines: string[]): Promise<ExecResult> {
  const argv = [
    VTYSH,
    '--vty_socket',
    frrFiles(labName, router).sockets,
    '-c',
    'configure terminal',
    ...lines.flatMap((line) => ['-c', line]),
  ];
  const result = await run(argv, { where: `FRR on ${router}`, timeoutMs: 10_000 });
  if (result.exitCode !== 0 || /% /.test(result.stdout))
    throw new Error(`FRR on ${router} refused ${lines.join('; ')}: ${result.stdout.trim()} ${result.stderr.trim()}`);
  return result;
}
