/** A plain HTTP GET from a pod or node, as a learner makes it: `curl -s` with a bounded wait. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Observation } from './observation.ts';

/** The body `url` answered with; empty where curl failed (no answer, refused, timed out), which the claim judges. */
export async function httpBody(cluster: Cluster, from: ExecTarget, url: string, maxTimeS = 5): Promise<Observation<string>> {
  const result = await cluster.exec(from, ['curl', '-s', '--max-time', String(maxTimeS), url], { timeoutMs: (maxTimeS + 10) * 1000 });
  return { value: result.exitCode === 0 ? result.stdout : '', evidence: [result] };
}
