/**
 * What a runbook looks at, gathered once per failed scenario through the Cluster port and
 * parsed: both nodes' routes and interfaces, the kernel's pick for the destination, NAT rules,
 * proxy ARP on the host interfaces, the pods the cluster reports, IPAM, the CNI directory.
 */
import type { BlockAffinity, ClusterEvent, ExecResult, IpamBlock, IpPool, IpReservation, NodeInfo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { interfaces } from '../probes/interfaces.ts';
import { cniConfigFiles, natOutgoingChain, natPostrouting, proxyArp } from '../probes/node-config.ts';
import type { Observation } from '../probes/observation.ts';
import type { Interface } from '../parse/ip-addr.ts';
import type { Route } from '../parse/ip-route.ts';
import { routeGet, routes, type RouteAnswer } from '../probes/routes.ts';
import { vxlanFdb, vxlanNeighbours } from '../probes/vxlan.ts';
import type { FdbEntry, Neighbour } from '../parse/vxlan.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

export interface NodeView {
  node: NodeInfo;
  routes: Route[];
  interfaces: Interface[];
  /** POSTROUTING rules of the nat table, as `iptables -t nat -S POSTROUTING` prints them. */
  natRules: string[];
  /** Proxy ARP of each interface: name → on. */
  proxyArp: Record<string, boolean>;
  cniConfigs: string[];
  /** Felix's VXLAN entries on vxlan.calico, where the node has the device. */
  vxlanNeighbours?: Neighbour[];
  vxlanFdb?: FdbEntry[];
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
  lookup: RouteAnswer | undefined;
  pods: PodInfo[];
  blocks: IpamBlock[];
  /** On a live cluster, the recent events of the subject's namespace (the lab keeps none). */
  events: ClusterEvent[] | undefined;
  ipam: IpamObjects;
  evidence: ExecResult[];
}

/** Runs one probe and keeps its evidence, never failing the diagnosis because one look failed. */
async function look<T>(evidence: ExecResult[], probe: Promise<Observation<T>>): Promise<T | undefined> {
  try {
    const seen = await probe;
    evidence.push(...seen.evidence);
    return seen.value;
  } catch (error) {
    const result = (error as { result?: ExecResult }).result;
    if (result) evidence.push(result);
    return undefined;
  }
}

async function viewOf(cluster: Cluster, node: NodeInfo, evidence: ExecResult[]): Promise<NodeView> {
  const on = nodeTarget(node.name);
  const [table, ifaces, nat, arp, cni, neigh, fdb, natOutgoing] = await Promise.all([
    look(evidence, routes(cluster, on)),
    look(evidence, interfaces(cluster, on)),
    look(evidence, natPostrouting(cluster, on)),
    look(evidence, proxyArp(cluster, on)),
    look(evidence, cniConfigFiles(cluster, on)),
    look(evidence, vxlanNeighbours(cluster, on)),
    look(evidence, vxlanFdb(cluster, on)),
    look(evidence, natOutgoingChain(cluster, on)),
  ]);
  return {
    node,
    routes: table ?? [],
    interfaces: ifaces ?? [],
    natRules: (nat ?? []).map((rule) => rule.text),
    proxyArp: arp ?? {},
    cniConfigs: cni ?? [],
    natOutgoingRules: (natOutgoing ?? []).map((rule) => rule.text),
    ...(neigh ? { vxlanNeighbours: neigh } : {}),
    ...(fdb ? { vxlanFdb: fdb } : {}),
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
  const lookup = source && target?.ip ? await look(evidence, routeGet(cluster, nodeTarget(source.node), target.ip)) : undefined;
  const [podRoutes, podInterfaces] = source
    ? await Promise.all([look(evidence, routes(cluster, podTarget(source))), look(evidence, interfaces(cluster, podTarget(source)))])
    : [];
  const events = cluster.events ? await cluster.events(source?.namespace ?? cluster.workloadNamespace).catch(() => undefined) : undefined;
  return {
    source,
    target,
    nodes,
    sourcePodRoutes: podRoutes,
    sourcePodInterfaces: podInterfaces,
    lookup,
    pods,
    blocks,
    events,
    ipam: { pools, installationPools, affinities, reservations },
    evidence,
  };
}
