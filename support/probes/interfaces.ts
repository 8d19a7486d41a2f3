/** The interfaces of a pod or node: `ip -j addr`, with the text format as fallback. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseIpAddr, type Interface } from '../parse/ip-addr.ts';
import { runJsonProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export async function interfaces(cluster: Cluster, target: ExecTarget): Promise<Observation<Interface[]>> {
  return runJsonProbe(cluster, target, ['ip', '-j', 'addr', 'show'], ['ip', 'addr', 'show'], parseIpAddr);
}

export function interfaceNamed(list: Interface[], name: string): Interface | undefined {
  return list.find((candidate) => candidate.name === name);
}

export function ipv4Addresses(iface: Interface): string[] {
  return iface.addresses.filter((address) => address.family === 'inet').map((address) => `${address.local}/${address.prefixLen}`);
}
