/** The few ways the lab touches the kernel: `ip -batch` per namespace, sysctls, a command inside a namespace. */
import { runChecked } from '../../exec/run.ts';
import type { ExecResult } from '../cluster.ts';
import type { Batch } from './wiring.ts';

export async function runBatch(batch: Batch): Promise<void> {
  if (batch.lines.length === 0) return;
  const argv = batch.netns ? ['ip', '-n', batch.netns, '-batch', '-'] : ['ip', '-batch', '-'];
  await runChecked(argv, { where: batch.netns ?? 'the host (namespace list)', input: `${batch.lines.join('\n')}\n` });
}

export async function sysctl(netns: string, settings: string[]): Promise<void> {
  if (settings.length > 0) await runChecked(['ip', 'netns', 'exec', netns, 'sysctl', '-qw', ...settings], { where: netns });
}

export async function execIn(netns: string, argv: string[]): Promise<ExecResult> {
  return runChecked(['ip', 'netns', 'exec', netns, ...argv], { where: netns });
}
