/**
 * What a runbook looks at, gathered once per failed scenario through the Cluster port and
 * parsed: both nodes' routes and interfaces, the kernel's pick for the destination, NAT rules,
 * proxy ARP on the host interfaces, the pods the cluster reports, IPAM, the CNI directory.
 */
import type { BlockAffinity, Cluster, ExecResult, IpamBlock, IpPool, IpReservation, NodeInfo, PodInfo } from '../cluster/cluster.ts';
import { interfaces } from '../probes/interfaces.ts';
import type { Interface } from '../probes/parse/ip-addr.ts';
import { parseIpRouteGet, type RouteLookup } from '../probes/parse/ip-route-get.ts';
import type { Route } from '../probes/parse/ip-route.ts';
import { routes } from '../probes/routes.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

export interface NodeView {
  node: NodeInfo;
  routes: Route[];
  interfaces: Interface[];
  /** POSTROUTING rules of the nat table, as `iptables -t nat -S POSTROUTING` prints them. */
  natRules: string[];
  /** proxy_arp of each host interface: name → value. */
  proxyArp: Record<string, string>;
  cniConfigs: string[];
  /** Felix's natOutgoing chain, as `iptables -t nat -S cali-nat-outgoing` prints it. */
  natOutgoingRules: string[];
}

/** Calico's IPAM objects as the API holds them (empty where the target cannot list them). */
export interface IpamObjects {
  pools: IpPool[];
  installationPools: Omit<IpPool, 'mtu'>[];
  affinities: BlockAffinity[];
  reservations: IpReservation[];
}

export interface Gathered {
  source: PodInfo | undefined;
  target: PodInfo | undefined;
  nodes: NodeView[];
  sourcePodRoutes: Route[] | undefined;
  sourcePodInterfaces: Interface[] | undefined;
  /** `ip route get <target IP>` on the source's node. */
  lookup: RouteLookup | undefined;
  pods: PodInfo[];
  blocks: IpamBlock[];
  ipam: IpamObjects;
  evidence: ExecResult[];
}

/** Runs one command and keeps its output, never failing the diagnosis because one look failed. */
async function look(cluster: Cluster, evidence: ExecResult[], node: string, argv: string[]): Promise<string | undefined> {
  try {
    const result = await cluster.exec(nodeTarget(node), argv, { timeoutMs: 5_000 });
    evidence.push(result);
    return result.exitCode === 0 ? result.stdout : undefined;
  } catch {
    return undefined;
  }
}

async function viewOf(cluster: Cluster, node: NodeInfo, evidence: ExecResult[]): Promise<NodeView> {
  const [table, ifaces, nat, arp, cni, natOutgoing] = await Promise.all([
    routes(cluster, nodeTarget(node.name)).catch(() => undefined),
    interfaces(cluster, nodeTarget(node.name)).catch(() => undefined),
    look(cluster, evidence, node.name, ['iptables', '-t', 'nat', '-S', 'POSTROUTING']),
    look(cluster, evidence, node.name, ['sh', '-c', 'for f in /proc/sys/net/ipv4/conf/cali*/proxy_arp; do [ -e "$f" ] && echo "$f $(cat "$f")"; done; true']),
    look(cluster, evidence, node.name, ['ls', '-1', '/etc/cni/net.d']),
    look(cluster, evidence, node.name, ['iptables', '-t', 'nat', '-S', 'cali-nat-outgoing']),
  ]);
  evidence.push(...(table?.evidence ?? []), ...(ifaces?.evidence ?? []));
  const proxyArp: Record<string, string> = {};
  for (const line of (arp ?? '').split('\n')) {
    const match = /conf\/([^/]+)\/proxy_arp (\d)/.exec(line);
    if (match) proxyArp[match[1] as string] = match[2] as string;
  }
  return {
    node,
    routes: table?.value ?? [],
    interfaces: ifaces?.value ?? [],
    natRules: (nat ?? '').split('\n').filter((rule) => rule.startsWith('-A')),
    proxyArp,
    cniConfigs: (cni ?? '').split('\n').filter(Boolean).sort(),
    natOutgoingRules: (natOutgoing ?? '').split('\n').filter((rule) => rule.startsWith('-A')),
  };
}

/** Gathers the evidence about `source` → `target` (either may be missing) and their nodes. */
export async function gather(cluster: Cluster, source: PodInfo | undefined, target: PodInfo | undefined): Promise<Gathered> {
  const evidence: ExecResult[] = [];
  const [allNodes, pods, blocks, pools, installationPools, affinities, reservations] = await Promise.all([
    cluster.nodes(),
    cluster.pods(),
    cluster.ipamBlocks().catch(() => []),
    cluster.ipPools().catch(() => []),
    cluster.installationPools().catch(() => []),
    cluster.blockAffinities().catch(() => []),
    cluster.ipReservations().catch(() => []),
  ]);
  const involved = allNodes.filter((node) => node.name === source?.node || node.name === target?.node);
  const nodes = await Promise.all((involved.length ? involved : allNodes).map((node) => viewOf(cluster, node, evidence)));
  let lookup: RouteLookup | undefined;
  if (source && target?.ip) {
    const text = await look(cluster, evidence, source.node, ['ip', 'route', 'get', target.ip]);
    lookup = text ? parseIpRouteGet(text) : undefined;
  }
  const [podRoutes, podInterfaces] = source ? await Promise.all([routes(cluster, podTarget(source)).catch(() => undefined), interfaces(cluster, podTarget(source)).catch(() => undefined)]) : [];
  evidence.push(...(podRoutes?.evidence ?? []), ...(podInterfaces?.evidence ?? []));
  return { source, target, nodes, sourcePodRoutes: podRoutes?.value, sourcePodInterfaces: podInterfaces?.value, lookup, pods, blocks, ipam: { pools, installationPools, affinities, reservations }, evidence };
}
