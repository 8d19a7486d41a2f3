/**
 * The facts preconditions are judged on, read from the cluster as a learner would: the IP
 * pools (Calico's IPPool vxlanMode/ipipMode), the nodes and their roles, and each node's
 * subnet (the prefix of the address that is its InternalIP, from `ip -j addr` on the node).
 * Read once per cluster handle.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { formatCidr, parseCidr } from '../net/cidr.ts';
import { interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { nodeTarget } from '../subjects.ts';
import type { ClusterFacts } from './preconditions.ts';

const read = new WeakMap<Cluster, Promise<ClusterFacts>>();

export function factsOf(cluster: Cluster): Promise<ClusterFacts> {
  let facts = read.get(cluster);
  if (!facts) {
    facts = readFacts(cluster);
    read.set(cluster, facts);
  }
  return facts;
}

async function readFacts(cluster: Cluster): Promise<ClusterFacts> {
  const [pools, nodes] = await Promise.all([cluster.ipPools(), cluster.nodes()]);
  const encapsulations = pools.map((pool) => pool.encapsulation);
  const crossSubnet = encapsulations.some((encapsulation) => encapsulation.endsWith('CrossSubnet'));
  let nodesShareSubnet: boolean | undefined;
  if (crossSubnet) {
    const subnets = await Promise.all(
      nodes.map(async (node) => {
        const seen = await interfaces(cluster, nodeTarget(node.name));
        const own = seen.value.flatMap(ipv4Addresses).find((cidr) => cidr.startsWith(`${node.internalIP}/`));
        return own ? formatCidr(parseCidr(own, { loose: true })) : undefined;
      }),
    );
    nodesShareSubnet = subnets.every((subnet) => subnet !== undefined) ? new Set(subnets).size === 1 : undefined;
  }
  return { encapsulations, workers: nodes.filter((node) => node.role === 'worker').length, nodesShareSubnet };
}
