/** A pod's secondary interfaces (Multus' net1, …) and what they hang off on the node. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseSecondaryLink, type SecondaryLink } from '../parse/secondary-link.ts';

export function secondaryLink(cluster: Cluster, target: ExecTarget, ifname: string): Promise<Observation<SecondaryLink>> {
  return runProbe(cluster, target, ['ip', '-d', '-j', 'link', 'show', ifname], parseSecondaryLink);
}
