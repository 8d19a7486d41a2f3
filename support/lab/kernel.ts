/** The few ways the lab touches the kernel: `ip -batch` per namespace, sysctls, a command inside a namespace. */
import { run, runChecked } from '../exec/run.ts';
import type { ExecResult } from '../cluster/cluster.ts';

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

/** Ends every process inside the given namespaces, by PID: TERM, then KILL after 2 s. Returns the PIDs. */
export async function endProcessesIn(namespaces: string[]): Promise<number[]> {
  const listings = await Promise.all(namespaces.map((name) => run(['ip', 'netns', 'pids', name], { where: name })));
  const pids = [...new Set(listings.flatMap((listing) => listing.stdout.split('\n').filter(Boolean).map(Number)))];
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 2_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of pids.filter(isAlive)) signal(pid, 'SIGKILL');
  return pids;
}

/** Ends one process the lab started, by its PID: TERM, then KILL after 2 s. */
export async function endProcess(pid: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + 2_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (isAlive(pid)) signal(pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
