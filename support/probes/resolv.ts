/** A pod's DNS configuration, as its processes see it. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseResolvConf, type ResolvConf } from '../parse/resolv-conf.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export async function resolvConf(cluster: Cluster, pod: ExecTarget): Promise<Observation<ResolvConf>> {
  return runProbe(cluster, pod, ['cat', '/etc/resolv.conf'], parseResolvConf);
}

/**
 * The first IPv4 address `getent ahostsv4 <name>` gives on a node or pod, as kind's entrypoint
 * reads it; undefined where the name does not resolve (getent exits 2) or the lookup took more
 * than 5 s (the timeout exits 124).
 */
export async function firstHostAddress(cluster: Cluster, target: ExecTarget, name: string): Promise<Observation<string | undefined>> {
  return runProbe(
    cluster,
    target,
    ['timeout', '5', 'getent', 'ahostsv4', name],
    (text) => {
      if (text.trim() === '') return undefined;
      const first = text.split('\n')[0]?.split(/\s+/)[0] ?? '';
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(first)) throw new Error(`printed ${JSON.stringify(text.split('\n')[0])}, not an address first`);
      return first;
    },
    { acceptExitCodes: [0, 2, 124], timeoutMs: 15_000 },
  );
}
