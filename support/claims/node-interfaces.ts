/**
 * Each node's interfaces as `ip addr show` lists them, read one node after another, with the
 * commands' evidence: the one loop the per-node interface claims (MTU, WireGuard) share.
 */
import type { ExecResult, NodeInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { interfaces } from '../probes/interfaces.ts';
import type { Interface } from '../parse/ip-addr.ts';
import { nodeTarget } from '../subjects.ts';

export interface NodeInterfaces {
  node: NodeInfo;
  links: Interface[];
}

export async function interfacesOfNodes(cluster: Cluster, nodes: NodeInfo[]): Promise<{ seen: NodeInterfaces[]; evidence: ExecResult[] }> {
  const seen: NodeInterfaces[] = [];
  const evidence: ExecResult[] = [];
  for (const node of nodes) {
    const observed = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...observed.evidence);
    seen.push({ node, links: observed.value });
  }
  return { seen, evidence };
}
