/** Felix's VXLAN state on a node: the device, its permanent neighbours, its FDB. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseFdb, parseNeighbours, parseVxlanLink, type FdbEntry, type Neighbour, type VxlanDevice } from '../parse/vxlan.ts';

import { VXLAN_DEVICE } from '../net/calico.ts';

export { VXLAN_DEVICE };

export function vxlanDevice(cluster: Cluster, node: ExecTarget): Promise<Observation<VxlanDevice>> {
  return runProbe(cluster, node, ['ip', '-d', '-j', 'link', 'show', VXLAN_DEVICE], parseVxlanLink);
}

export function vxlanNeighbours(cluster: Cluster, node: ExecTarget): Promise<Observation<Neighbour[]>> {
  return runProbe(cluster, node, ['ip', '-j', 'neigh', 'show', 'dev', VXLAN_DEVICE], parseNeighbours);
}

export function vxlanFdb(cluster: Cluster, node: ExecTarget): Promise<Observation<FdbEntry[]>> {
  return runProbe(cluster, node, ['bridge', '-j', 'fdb', 'show', 'dev', VXLAN_DEVICE], parseFdb);
}
