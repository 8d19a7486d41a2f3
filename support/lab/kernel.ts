/** The few ways the lab touches the kernel: `ip -batch` per namespace, sysctls, a command inside a namespace. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../exec/run.ts';
import type { ExecResult } from '../domain.ts';

/** Lines for `ip -n <netns> -batch -`; `netns` undefined means the batch only adds/deletes namespaces. */
export interface Batch {
  netns: string | undefined;
  lines: string[];
}

export async function runBatch(batch: Batch): Promise<void> {
  if (batch.lines.length === 0) return;
  const argv = batch.netns ? ['ip', '-n', batch.netns, '-batch', '-'] : ['ip', '-batch', '-'];
  await runChecked(argv, { where: batch.netns ?? 'the host (namespace list)', input: `${batch.lines.join('\n')}\n` });
}

/** Lines for `bridge -n <netns> -batch -` (FDB entries). */
export async function runBridgeBatch(batch: Batch): Promise<void> {
  if (batch.lines.length === 0 || !batch.netns) return;
  await runChecked(['bridge', '-n', batch.netns, '-batch', '-'], { where: batch.netns, input: `${batch.lines.join('\n')}\n` });
}

export async function sysctl(netns: string, settings: string[]): Promise<void> {
  if (settings.length > 0) await runChecked(['ip', 'netns', 'exec', netns, 'sysctl', '-qw', ...settings], { where: netns });
}

export async function execIn(netns: string, argv: string[]): Promise<ExecResult> {
  return runChecked(['ip', 'netns', 'exec', netns, ...argv], { where: netns });
}

/** Where `ip netns add` puts the named namespaces. */
export const NETNS_RUN = '/run/netns';

/**
 * The PIDs of the processes inside the given named namespaces, as `ip netns pids` finds them
 * (a process whose /proc/<pid>/ns/net is the namespace's file), in one pass over /proc for all
 * of them: `ip netns pids` per namespace walks the whole of /proc each time.
 */
export function pidsInNamespaces(namespaces: string[]): number[] {
  const wanted = new Set<string>();
  for (const name of namespaces) {
    try {
      const stat = statSync(join(NETNS_RUN, name));
      wanted.add(`${stat.dev}:${stat.ino}`);
    } catch {
      // already gone
    }
  }
  if (wanted.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = statSync(`/proc/${entry}/ns/net`);
      if (wanted.has(`${stat.dev}:${stat.ino}`)) pids.push(Number(entry));
    } catch {
      // ended while we looked, or a kernel thread
    }
  }
  return pids;
}

/** Ends every process inside the given namespaces, by PID: TERM, then KILL after 2 s. Returns the PIDs. */
export async function endProcessesIn(namespaces: string[]): Promise<number[]> {
  const pids = pidsInNamespaces(namespaces);
  await endPids(pids);
  return pids;
}

/** Ends one process the lab started, by its PID: TERM, then KILL after 2 s. */
export async function endProcess(pid: number): Promise<void> {
  await endPids([pid]);
}

/**
 * TERM, then KILL what is still running 2 s later. A PID is asked about until it is seen gone,
 * never after: once gone, its number may be given to a process that is not the lab's.
 */
export async function endPids(pids: number[]): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  let running = pids.filter(isRunning);
  const deadline = Date.now() + 2_000;
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    running = running.filter(isRunning);
  }
  for (const pid of running) signal(pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Whether the process still runs. A zombie has ended: a daemon the lab started through a shell's
 * `&` is the machine init's child once that shell exits, and init reaps it when it gets to it
 * (about a second later on this machine), while `kill(pid, 0)` still finds it until then.
 */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // pid (comm) state …: comm may hold spaces and parentheses, so the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
