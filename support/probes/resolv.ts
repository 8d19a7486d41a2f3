/** A pod's DNS configuration, as its processes see it. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseResolvConf, type ResolvConf } from '../parse/resolv-conf.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export async function resolvConf(cluster: Cluster, pod: ExecTarget): Promise<Observation<ResolvConf>> {
  return runProbe(cluster, pod, ['cat', '/etc/resolv.conf'], parseResolvConf);
}
