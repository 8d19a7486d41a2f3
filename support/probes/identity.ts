/** What a pod or node says it is: its hostname, and on a kind node the image's /kind/version. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { probeFailure, runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

/** What `hostname` prints inside the pod or node. */
export function hostname(cluster: Cluster, target: ExecTarget): Promise<Observation<string>> {
  return runProbe(cluster, target, ['hostname'], (text) => text.trim());
}

/** The version kindest/node writes to /kind/version; undefined where the node has no such file (cat exits 1). */
export async function kindVersion(cluster: Cluster, node: ExecTarget): Promise<Observation<string | undefined>> {
  const result = await cluster.exec(node, ['cat', '/kind/version'], { timeoutMs: 15_000 });
  if (result.exitCode === 1 && /No such file/.test(result.stderr)) return { value: undefined, evidence: [result] };
  if (result.exitCode !== 0) throw probeFailure(result);
  return { value: result.stdout.trim(), evidence: [result] };
}
