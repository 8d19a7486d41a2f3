/** What a Linux router's bridge and neighbour tables hold: the MACs it learnt on each port, the addresses it mapped. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseFdb, parseNeighbours, type FdbEntry, type Neighbour } from '../parse/vxlan.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

/** Every entry of `bridge -j fdb show`, with the port it is on and the port's bridge. */
export function bridgeFdb(cluster: Cluster, target: ExecTarget): Promise<Observation<FdbEntry[]>> {
  return runProbe(cluster, target, ['bridge', '-j', 'fdb', 'show'], parseFdb);
}

/** `ip -j neigh show [<address>]`: the neighbour entries, of one address or all. */
export function neighbours(cluster: Cluster, target: ExecTarget, address?: string): Promise<Observation<Neighbour[]>> {
  return runProbe(cluster, target, ['ip', '-j', 'neigh', 'show', ...(address ? [address] : [])], parseNeighbours);
}
