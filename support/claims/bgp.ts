/**
 * Claims about BGP between the nodes and the top-of-rack router (lessons 07, 08, 10, 15): read
 * from the BGP daemons themselves (BIRD on the nodes, FRR on the router), from the kernel, and
 * from Calico's BGP resources; the expected values come from those resources and the nodes,
 * never from the lab's rendering.
 */
import type { ExecResult, NodeInfo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { eventually } from '../eventually.ts';
import { cidrContains, cidrsOverlap, formatCidr, parseCidr } from '../net/cidr.ts';
import { isMeshProtocol, protocolName, type BgpPeer, type CalicoBgpObjects } from '../net/calico-bgp.ts';
import { selects } from '../net/calico-selector.ts';
import {
  birdBgpSessions,
  DaemonSilent,
  describeSpeaker,
  heard,
  routerAdvertisedTo,
  routerBgpSummary,
  routerBgpTable,
  routerPrefixPaths,
  routerRoutesFrom,
} from '../probes/bgp.ts';
import { ping } from '../probes/ping.ts';
import { ProbeFailure } from '../probes/commands.ts';
import { interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { bgpSessionState } from '../parse/bird.ts';
import { describeRouteAnswer, gatewaysOf, routeGet, routes } from '../probes/routes.ts';
import { describePod, nodeTarget, routerTarget } from '../subjects.ts';

const addressOf = (cidr: string) => cidr.split('/')[0] as string;

/** A node's BGP address: Calico's node address (spec.bgp.ipv4Address), else its InternalIP. */
export function bgpAddressOf(node: NodeInfo): string {
  return node.calico?.ipv4Address ? addressOf(node.calico.ipv4Address) : node.internalIP;
}

/** The subnet of a node's Calico address (10.10.10.0/24 for 10.10.10.11/24). */
function subnetOfNode(node: NodeInfo): string | undefined {
  return node.calico?.ipv4Address ? formatCidr(parseCidr(node.calico.ipv4Address, { loose: true })) : undefined;
}

/** The router's addresses (ip addr on the router), with prefixes. */
async function routerAddresses(cluster: Cluster, router: string): Promise<{ addresses: string[]; evidence: ExecResult[] }> {
  const seen = await interfaces(cluster, routerTarget(router));
  return { addresses: seen.value.flatMap(ipv4Addresses).filter((cidr) => !cidr.startsWith('127.')), evidence: seen.evidence };
}

/** The router's address on the subnet of a node's BGP address. */
function routerAddressFor(addresses: string[], node: NodeInfo): string | undefined {
  const ip = bgpAddressOf(node);
  const onSubnet = addresses.find((cidr) => cidrContains(parseCidr(cidr, { loose: true }), ip));
  return onSubnet && addressOf(onSubnet);
}

/**
 * Which nodes should speak BGP: those a BGPPeer selects, or, where the lesson says so, exactly
 * the nodes carrying a label (`bgp-peer=true`), whatever the BGPPeers select.
 */
export interface Speakers {
  label?: string;
}

export function speaks(rule: Speakers, objects: CalicoBgpObjects, node: NodeInfo): boolean {
  if (rule.label) {
    const [key, value] = rule.label.split('=') as [string, string];
    return node.labels?.[key] === value;
  }
  return objects.peers.some((peer) => selectedBy(peer, node));
}

function describeSpeakers(rule: Speakers): string {
  return rule.label ? `node labelled ${rule.label}` : 'node a BGPPeer selects';
}

/** Which nodes a BGPPeer selects (confd's rule: node, else nodeSelector; neither means every node). */
function selectedBy(peer: BgpPeer, node: NodeInfo): boolean {
  if (peer.node) return peer.node === node.name;
  if (!peer.nodeSelector) return true;
  return selects(peer.nodeSelector, node.labels ?? {});
}

/**
 * The BIRD protocol name confd gives a session: Global_ only for a peer with neither node nor
 * nodeSelector, Node_ for one chosen by node or selector, `all()` included (confd client.go
 * puts a peer on the global pass only when NodeSelector and Node are both empty; calicoctl then
 * shows its type as `node specific`).
 */
export function expectedProtocol(peer: BgpPeer): string {
  return protocolName(peer.node || peer.nodeSelector ? 'Node' : 'Global', peer.peerIP);
}

// --- the API's BGP resources ---------------------------------------------------------------

export async function bgpConfigurationIs(
  cluster: Cluster,
  expected: { asNumber: number; mesh: boolean; logSeverity: string },
): Promise<Verdict> {
  const { configuration } = await cluster.bgpObjects();
  const ok =
    configuration.asNumber === expected.asNumber &&
    configuration.nodeToNodeMeshEnabled === expected.mesh &&
    configuration.logSeverityScreen === expected.logSeverity;
  return verdict(
    ok,
    `BGPConfiguration default: asNumber ${expected.asNumber}, nodeToNodeMeshEnabled ${expected.mesh}, logSeverityScreen ${expected.logSeverity}`,
    `asNumber ${configuration.asNumber}, nodeToNodeMeshEnabled ${configuration.nodeToNodeMeshEnabled}, logSeverityScreen ${configuration.logSeverityScreen}`,
    [],
    [listing('bgpconfiguration-default', configuration)],
  );
}

/** A BGPPeer names the router (one of its addresses) with the given AS and node selector. */
export async function bgpPeerIs(
  cluster: Cluster,
  router: string,
  name: string,
  expected: { asNumber: number; nodeSelector: string },
): Promise<Verdict> {
  const [{ peers }, seen] = await Promise.all([cluster.bgpObjects(), routerAddresses(cluster, router)]);
  const peer = peers.find((candidate) => candidate.name === name);
  const routerIPs = seen.addresses.map(addressOf);
  const ok =
    peer !== undefined &&
    routerIPs.includes(peer.peerIP) &&
    peer.asNumber === expected.asNumber &&
    peer.nodeSelector === expected.nodeSelector;
  return verdict(
    ok,
    `BGPPeer ${name}: peerIP one of the router's addresses (${list(routerIPs)}), asNumber ${expected.asNumber}, nodeSelector ${expected.nodeSelector}`,
    peer
      ? `peerIP ${peer.peerIP}, asNumber ${peer.asNumber}, nodeSelector ${peer.nodeSelector || '(none)'}`
      : `no BGPPeer ${name} (BGPPeers: ${list(peers.map((p) => p.name))})`,
    seen.evidence,
    [listing('bgppeers', peers)],
  );
}

export async function nodesLabelled(cluster: Cluster, label: string, expectedCount: number): Promise<Verdict> {
  const [key, value] = label.split('=') as [string, string];
  const nodes = await cluster.nodes();
  const labelled = nodes.filter((node) => node.labels?.[key] === value);
  const workers = labelled.every((node) => node.role === 'worker');
  return verdict(
    labelled.length === expectedCount && workers,
    `exactly ${expectedCount} worker node(s) labelled ${label}`,
    `${labelled.length}: ${list(labelled.map((node) => `${node.name} (${node.role})`))}`,
    [],
    [
      listing(
        'nodes',
        nodes.map((node) => ({ name: node.name, role: node.role, labels: node.labels })),
      ),
    ],
  );
}

// --- the nodes' side ------------------------------------------------------------------------

/** Every node's InternalIP is its Calico address, held by eth1, on a subnet of the router, and the route to the router's address there is direct. */
export async function nodesOnRouterSubnet(cluster: Cluster, router: string): Promise<Verdict> {
  const [nodes, seenRouter] = await Promise.all([cluster.nodes(), routerAddresses(cluster, router)]);
  const evidence = [...seenRouter.evidence];
  const findings: string[] = [];
  for (const node of nodes) {
    const routerIP = routerAddressFor(seenRouter.addresses, node);
    const own = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...own.evidence);
    const holder = own.value.find((iface) => ipv4Addresses(iface).some((cidr) => addressOf(cidr) === node.internalIP));
    if (!node.ready) findings.push(`${node.name} is not Ready`);
    if (holder?.name !== 'eth1')
      findings.push(`${node.name}'s InternalIP ${node.internalIP} is on ${holder?.name ?? 'no interface'}, not eth1`);
    if (bgpAddressOf(node) !== node.internalIP)
      findings.push(`${node.name}'s Calico address ${bgpAddressOf(node)} is not its InternalIP ${node.internalIP}`);
    if (!routerIP) {
      findings.push(`${node.name} (${node.internalIP}) is on none of the router's subnets (${list(seenRouter.addresses)})`);
      continue;
    }
    const lookup = await routeGet(cluster, nodeTarget(node.name), routerIP);
    evidence.push(...lookup.evidence);
    const answer = lookup.value;
    if (answer.kind !== 'route' || answer.lookup.dev !== 'eth1' || answer.lookup.gateway)
      findings.push(`${node.name} reaches the router's ${routerIP} by ${describeRouteAnswer(answer)}`);
  }
  return verdict(
    findings.length === 0,
    'every node Ready, its InternalIP its Calico address on eth1, on a subnet of the router, which it reaches directly on eth1',
    findings.length ? findings.join('; ') : `${nodes.length} nodes as expected`,
    evidence,
  );
}

/**
 * Each node runs exactly the BGP sessions the BGPPeers give it (none for a node no peer
 * selects), each to the router and Established, with BIRD's protocol named as confd names it,
 * and no node-to-node mesh session.
 */
export async function nodeSessionsFollowPeers(cluster: Cluster, router: string, rule: Speakers = {}): Promise<Verdict> {
  const [nodes, objects, seenRouter] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routerAddresses(cluster, router)]);
  const evidence = [...seenRouter.evidence];
  const findings: string[] = [];
  const rows: string[] = [];
  for (const node of nodes) {
    const routerIP = routerAddressFor(seenRouter.addresses, node);
    const peers = speaks(rule, objects, node)
      ? objects.peers.filter((peer) => (rule.label ? peer.peerIP === routerIP : selectedBy(peer, node)))
      : [];
    const sessions = await heard(birdBgpSessions(cluster, node.name));
    evidence.push(...sessions.evidence);
    if (!sessions.answered) {
      // No BIRD answering: the node runs no session at all. That is what the claim denies where
      // the BGPPeers give the node sessions, and what it says of a node they give none.
      rows.push(`${node.name}: ${sessions.silence.message}`);
      if (peers.length > 0 || speaks(rule, objects, node)) findings.push(`${node.name} runs no BGP session: ${sessions.silence.message}`);
      continue;
    }
    const seen = sessions.value.map(
      (protocol) => `${protocol.name} ${bgpSessionState(protocol)}${protocol.info.includes(' ') ? ` (${protocol.info})` : ''}`,
    );
    rows.push(`${node.name}: ${list(seen)}`);
    const expected = peers.map(expectedProtocol);
    const mesh = sessions.value.filter((protocol) => isMeshProtocol(protocol.name));
    if (mesh.length) findings.push(`${node.name} runs node-to-node mesh sessions ${list(mesh.map((p) => p.name))}`);
    if (
      !sameSet(
        sessions.value.filter((p) => !isMeshProtocol(p.name)).map((p) => p.name),
        expected,
      )
    )
      findings.push(`${node.name} runs ${list(sessions.value.map((p) => p.name))}, expected ${list(expected)}`);
    for (const protocol of sessions.value.filter((p) => expected.includes(p.name))) {
      if (bgpSessionState(protocol) !== 'Established') findings.push(`${node.name} ${protocol.name} is ${protocol.info || protocol.state}`);
    }
    if (speaks(rule, objects, node) && peers.length === 0)
      findings.push(`${node.name} should speak BGP, and no BGPPeer names the router's ${routerIP}`);
    for (const peer of peers) {
      if (routerIP !== peer.peerIP)
        findings.push(`${node.name}'s peer ${peer.peerIP} (BGPPeer ${peer.name}) is not the router's address on its subnet`);
    }
  }
  return verdict(
    findings.length === 0,
    `every ${describeSpeakers(rule)} runs exactly one Established session per BGPPeer, to the router (BIRD protocol Node_<router IP>, type node specific, for a peer with a nodeSelector, all() included), every other node none, and no node-to-node mesh`,
    findings.length ? findings.join('; ') : rows.join('; '),
    evidence,
  );
}

// --- the router's side ----------------------------------------------------------------------

/**
 * The router's claims are about what it runs: with no FRR answering (bgpd not running), it holds
 * no session and no route, so the claim fails with the client's words as evidence. A router
 * the transport cannot reach stays an environment error.
 */
function aboutWhatRuns<A extends unknown[]>(claim: (...args: A) => Promise<Verdict>): (...args: A) => Promise<Verdict> {
  return async (...args) => {
    try {
      return await claim(...args);
    } catch (error) {
      if (!(error instanceof DaemonSilent)) throw error;
      return verdict(
        false,
        `${describeSpeaker(error.daemon, error.speaker)} to run and answer on its control socket`,
        `${error.said}: no ${error.daemon} runs there, so it holds no BGP session and no route`,
        [error.result],
      );
    }
  };
}

/** How long BIRD and FRR may take to show a BGP change on a real cluster: confd renders, BIRD reconfigures, FRR's best path and zebra follow. */
const BGP_CONVERGENCE_MS = 30_000;

/**
 * A router claim that may follow a BGP change (a BGPConfiguration, a node's labels, the
 * router's maximum-paths), asked again until it holds or BGP's window closes, as the learner
 * looks again a few seconds later. A target that returns from a BGP change only once BGP has
 * settled (the lab) is asked once.
 */
export function afterBgpSettles<A extends [Cluster, ...unknown[]]>(
  claim: (...args: A) => Promise<Verdict>,
): (...args: A) => Promise<Verdict> {
  return (...args) =>
    eventually(() => claim(...args), { withinMs: BGP_CONVERGENCE_MS, everyMs: 1_000, settlesWithinMs: args[0].bgpSettlesWithinMs });
}

/**
 * The router holds one Established session per BGP-speaking node (exactly the nodes the
 * BGPPeers select), each a dynamic neighbour (from a listen range), remote AS the cluster's,
 * BGP version 4; its own identifier is the peered address and its AS the BGPPeer's.
 */
async function routerSessionsFromNodesSeen(cluster: Cluster, router: string, rule: Speakers = {}): Promise<Verdict> {
  const [nodes, objects, summary] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routerBgpSummary(cluster, router)]);
  const speakers = nodes.filter((node) => speaks(rule, objects, node));
  const expected = speakers.map(bgpAddressOf);
  const peers = summary.value.peers;
  const findings: string[] = [];
  if (
    !sameSet(
      peers.map((peer) => peer.address),
      expected,
    )
  )
    findings.push(`neighbours ${list(peers.map((p) => p.address))}, expected the speakers ${list(expected)}`);
  for (const peer of peers) {
    if (peer.state !== 'Established') findings.push(`${peer.address} is ${peer.state}`);
    if (peer.remoteAs !== objects.configuration.asNumber)
      findings.push(`${peer.address} has remote AS ${peer.remoteAs}, the cluster's is ${objects.configuration.asNumber}`);
    if (peer.version !== 4) findings.push(`${peer.address} speaks BGP version ${peer.version}`);
    if (!peer.dynamic) findings.push(`${peer.address} is configured by name, not accepted from a listen range`);
  }
  const peered = objects.peers.filter((peer) => speakers.some((node) => selectedBy(peer, node)));
  if (peered.length && !peered.some((peer) => peer.peerIP === summary.value.routerId))
    findings.push(`router identifier ${summary.value.routerId}, the BGPPeers name ${list(peered.map((p) => p.peerIP))}`);
  if (peered.length && !peered.some((peer) => peer.asNumber === summary.value.localAs))
    findings.push(`router's local AS ${summary.value.localAs}, the BGPPeers say ${list(peered.map((p) => p.asNumber))}`);
  return verdict(
    findings.length === 0,
    `one Established dynamic BGP v4 session per ${describeSpeakers(rule)} (${list(expected)}), remote AS ${objects.configuration.asNumber}, router id and AS as the BGPPeers name them`,
    findings.length
      ? findings.join('; ')
      : `${list(peers.map((p) => `${p.address} ${p.state} AS${p.remoteAs}`))}; router id ${summary.value.routerId}, AS ${summary.value.localAs}`,
    summary.evidence,
  );
}

/** What the router received, per speaking node, equals `expected` (prefixes), and no pod block reached its BGP table unless `blocksAdvertised`. */
async function routerReceivesSeen(
  cluster: Cluster,
  router: string,
  expected: { prefixes: (objects: CalicoBgpObjects) => string[] },
): Promise<Verdict> {
  const [objects, summary, blocks, table] = await Promise.all([
    cluster.bgpObjects(),
    routerBgpSummary(cluster, router),
    cluster.ipamBlocks(),
    routerBgpTable(cluster, router),
  ]);
  const evidence = [...summary.evidence, ...table.evidence];
  const want = expected.prefixes(objects);
  const findings: string[] = [];
  const rows: string[] = [];
  const established = summary.value.peers.filter((peer) => peer.state === 'Established');
  if (established.length === 0) findings.push('the router has no Established session');
  for (const peer of established) {
    const learned = await routerRoutesFrom(cluster, router, peer.address);
    evidence.push(...learned.evidence);
    const prefixes = [...new Set(learned.value.map((route) => route.prefix))];
    rows.push(`${peer.address}: ${list(prefixes)} (PfxRcd ${peer.prefixesReceived})`);
    if (!sameSet(prefixes, want) || peer.prefixesReceived !== want.length)
      findings.push(`from ${peer.address} the router received ${list(prefixes)} (PfxRcd ${peer.prefixesReceived}), expected ${list(want)}`);
  }
  const blockRoutes = table.value.filter(
    (route) => blocks.some((block) => cidrsOverlap(block.cidr, route.prefix)) && !want.includes(route.prefix),
  );
  if (blockRoutes.length)
    findings.push(
      `the router has BGP routes for pod blocks: ${list([...new Set(blockRoutes.map((route) => `${route.prefix} from ${route.peer}`))])}`,
    );
  return verdict(
    findings.length === 0,
    `on every session the router receives exactly ${list(want)}, and no route for a pod block`,
    findings.length ? findings.join('; ') : rows.join('; '),
    evidence,
  );
}

/** The router advertises the subnet of each speaking node to it. */
async function routerAdvertisesNodeSubnetSeen(cluster: Cluster, router: string): Promise<Verdict> {
  const [nodes, objects, summary] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routerBgpSummary(cluster, router)]);
  const evidence = [...summary.evidence];
  const findings: string[] = [];
  const speakers = nodes.filter((node) => objects.peers.some((peer) => selectedBy(peer, node)));
  for (const node of speakers) {
    const subnet = subnetOfNode(node);
    const address = bgpAddressOf(node);
    if (!summary.value.peers.some((peer) => peer.address === address && peer.state === 'Established')) {
      findings.push(`the router has no Established session with ${node.name} (${address}) to advertise on`);
      continue;
    }
    const advertised = await routerAdvertisedTo(cluster, router, address);
    evidence.push(...advertised.evidence);
    if (!subnet || !advertised.value.includes(subnet))
      findings.push(
        `to ${node.name} (${address}) the router advertises ${list(advertised.value)}, not the node's subnet ${subnet ?? '(unknown: no Calico address)'}`,
      );
  }
  return verdict(
    findings.length === 0,
    "the router advertises each speaking node's own subnet to it",
    findings.length ? findings.join('; ') : `${speakers.length} node(s) receive their subnet`,
    evidence,
  );
}

/** The router's kernel route to `prefix`: next hops exactly one per node in `count`, all of them speakers. */
export const routerRouteVia = afterBgpSettles(routerRouteViaSeen);

async function routerRouteViaSeen(
  cluster: Cluster,
  router: string,
  prefix: (objects: CalicoBgpObjects) => string,
  paths: 'one' | 'every-speaker',
  rule: Speakers = {},
): Promise<Verdict> {
  const [nodes, objects, table] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routes(cluster, routerTarget(router))]);
  const target = prefix(objects);
  const speakers = nodes.filter((node) => speaks(rule, objects, node)).map(bgpAddressOf);
  const route = table.value.find((candidate) => candidate.prefix === target);
  const hops = gatewaysOf(route);
  const fromSpeakers = hops.every((hop) => speakers.includes(hop));
  const ok =
    route !== undefined && fromSpeakers && (paths === 'one' ? hops.length === 1 : sameSet(hops, speakers)) && route.proto === 'bgp';
  return verdict(
    ok,
    `the router's kernel routes ${target} by BGP via ${paths === 'one' ? 'exactly one' : 'every one'} of the speakers, each a ${describeSpeakers(rule)} (${list(speakers)})`,
    route ? `${target} proto ${route.proto} via ${list(hops)}` : `no route for ${target}`,
    table.evidence,
  );
}

/** The router's session with one node: Established and advertising `prefixes`, or absent (no neighbour, or not Established). */
async function routerSessionWithSeen(
  cluster: Cluster,
  router: string,
  nodeName: string,
  expected: { present: boolean; prefixes: (objects: CalicoBgpObjects) => string[] },
): Promise<Verdict> {
  const [nodes, objects, asked] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), heard(routerBgpSummary(cluster, router))]);
  const node = nodes.find((candidate) => candidate.name === nodeName);
  if (!node) throw new Error(`no node ${nodeName}`);
  const address = bgpAddressOf(node);
  // A router whose bgpd does not run holds no session: the absence is seen; a presence fails.
  if (!asked.answered && !expected.present)
    return verdict(true, `no Established session between the router and ${nodeName} (${address})`, asked.silence.message, asked.evidence);
  if (!asked.answered) throw asked.silence;
  const summary = asked;
  const peer = summary.value.peers.find((candidate) => candidate.address === address);
  const evidence = [...summary.evidence];
  if (!expected.present) {
    return verdict(
      peer?.state !== 'Established',
      `no Established session between the router and ${nodeName} (${address})`,
      peer ? `${address} is ${peer.state}` : `no neighbour ${address}`,
      evidence,
    );
  }
  let prefixes: string[] = [];
  if (peer?.state === 'Established') {
    const learned = await routerRoutesFrom(cluster, router, address);
    evidence.push(...learned.evidence);
    prefixes = [...new Set(learned.value.map((route) => route.prefix))];
  }
  const want = expected.prefixes(objects);
  return verdict(
    peer?.state === 'Established' && sameSet(prefixes, want),
    `an Established session between the router and ${nodeName} (${address}), which advertises ${list(want)}`,
    peer
      ? `${address} is ${peer.state}, advertising ${list(prefixes)}`
      : `no neighbour ${address} (neighbours: ${list(summary.value.peers.map((p) => p.address))})`,
    evidence,
  );
}

// --- lesson 10: the pool advertised, the router reflecting ----------------------------------

/** The pool routes natively over BGP: no encapsulation, no outgoing NAT, BGP export on, every node. */
export async function poolAdvertisedNatively(cluster: Cluster, name: string): Promise<Verdict> {
  const [{ pools }, ipPools] = await Promise.all([cluster.bgpObjects(), cluster.ipPools()]);
  const pool = pools.find((candidate) => candidate.name === name);
  const ipPool = ipPools.find((candidate) => candidate.name === name);
  const ok =
    pool !== undefined &&
    ipPool !== undefined &&
    pool.vxlanMode === 'Never' &&
    pool.ipipMode === 'Never' &&
    !pool.disableBGPExport &&
    !ipPool.natOutgoing;
  return verdict(
    ok,
    `IPPool ${name}: vxlanMode Never, ipipMode Never, natOutgoing false, disableBGPExport false`,
    pool && ipPool
      ? `${pool.cidr}: vxlanMode ${pool.vxlanMode}, ipipMode ${pool.ipipMode}, natOutgoing ${ipPool.natOutgoing}, disableBGPExport ${pool.disableBGPExport}`
      : `no IPPool ${name}`,
    [],
    [listing('ippools', pools)],
  );
}

/** BGPConfiguration advertises the LoadBalancer pool's range and tags the pod pool's prefix with `community`. */
export async function bgpConfigurationAdvertises(cluster: Cluster, community: string): Promise<Verdict> {
  const { configuration, pools } = await cluster.bgpObjects();
  const lb = pools.filter((pool) => pool.allowedUses.includes('LoadBalancer')).map((pool) => pool.cidr);
  const podPools = pools.filter((pool) => !pool.allowedUses.includes('LoadBalancer')).map((pool) => pool.cidr);
  const tagged = configuration.prefixAdvertisements.filter(
    (advertisement) => podPools.includes(advertisement.cidr) && advertisement.communities.includes(community),
  );
  const ok = lb.length > 0 && sameSet(configuration.serviceLoadBalancerIPs, lb) && tagged.length > 0;
  return verdict(
    ok,
    `serviceLoadBalancerIPs = the LoadBalancer pool's range (${list(lb)}), and a prefixAdvertisement of the pod pool (${list(podPools)}) with community ${community}`,
    `serviceLoadBalancerIPs ${list(configuration.serviceLoadBalancerIPs)}; prefixAdvertisements ${list(configuration.prefixAdvertisements.map((a) => `${a.cidr} [${a.communities.join(' ')}]`))}`,
    [],
    [listing('bgpconfiguration-default', configuration)],
  );
}

export async function nodesCarryLabel(cluster: Cluster, label: string, expectedCount: number): Promise<Verdict> {
  const [key, value] = label.split('=') as [string, string];
  const nodes = await cluster.nodes();
  const labelled = nodes.filter((node) => node.labels?.[key] === value);
  return verdict(
    labelled.length === expectedCount,
    `exactly ${expectedCount} node(s) labelled ${label}`,
    `${labelled.length}: ${list(labelled.map((node) => node.name))}`,
    [],
    [
      listing(
        'nodes',
        nodes.map((node) => ({ name: node.name, labels: node.labels })),
      ),
    ],
  );
}

/** From every node, the router receives exactly that node's own blocks and the LoadBalancer range. */
async function routerReceivesOwnBlocksSeen(cluster: Cluster, router: string): Promise<Verdict> {
  const [nodes, objects, summary, blocks] = await Promise.all([
    cluster.nodes(),
    cluster.bgpObjects(),
    routerBgpSummary(cluster, router),
    cluster.ipamBlocks(),
  ]);
  const lb = objects.pools.filter((pool) => pool.allowedUses.includes('LoadBalancer')).map((pool) => pool.cidr);
  const evidence = [...summary.evidence];
  const findings: string[] = [];
  const rows: string[] = [];
  for (const node of nodes) {
    const address = bgpAddressOf(node);
    const peer = summary.value.peers.find((candidate) => candidate.address === address);
    const want = [...blocks.filter((block) => block.node === node.name).map((block) => block.cidr), ...lb];
    if (peer?.state !== 'Established') {
      findings.push(`no Established session with ${node.name} (${address})`);
      continue;
    }
    const learned = await routerRoutesFrom(cluster, router, address);
    evidence.push(...learned.evidence);
    const prefixes = [...new Set(learned.value.map((route) => route.prefix))];
    rows.push(`${node.name}: ${list(prefixes)}`);
    if (!sameSet(prefixes, want))
      findings.push(
        `from ${node.name} (${address}) the router received ${list(prefixes)}, expected its blocks and the LoadBalancer range: ${list(want)}`,
      );
  }
  return verdict(
    findings.length === 0,
    "from every node the router receives exactly the node's own blocks and the LoadBalancer range",
    findings.length ? findings.join('; ') : rows.join('; '),
    evidence,
  );
}

/**
 * The blocks affine to a node of the cluster: not a LoadBalancer pool's, whose affinity is
 * `virtual:load-balancer` (Calico's kube-controllers), nor one no node holds.
 */
function podBlocksOfNodes<T extends { node: string | undefined }>(blocks: T[], nodes: { name: string }[]): T[] {
  return blocks.filter((block) => nodes.some((node) => node.name === block.node));
}

/** The router's kernel routes each block to its node's address, and to nothing else. */
export async function routerRoutesBlocksToNodes(cluster: Cluster, router: string): Promise<Verdict> {
  const [nodes, allBlocks, table] = await Promise.all([cluster.nodes(), cluster.ipamBlocks(), routes(cluster, routerTarget(router))]);
  const findings: string[] = [];
  const blocks = podBlocksOfNodes(allBlocks, nodes);
  for (const block of blocks) {
    const owner = nodes.find((node) => node.name === block.node);
    const route = table.value.find((candidate) => candidate.prefix === block.cidr);
    const hops = route ? (route.nexthops?.length ? route.nexthops.map((hop) => hop.gateway) : [route.gateway]) : [];
    if (!owner || !route || hops.length !== 1 || hops[0] !== bgpAddressOf(owner) || route.proto !== 'bgp') {
      findings.push(
        `${block.cidr} (${block.node}): ${route ? `proto ${route.proto} via ${list(hops.map(String))}` : 'no route'}, expected via ${owner ? bgpAddressOf(owner) : '?'} by BGP`,
      );
    }
  }
  return verdict(
    findings.length === 0,
    "the router routes every pod block by BGP to its node's address",
    findings.length ? findings.join('; ') : `${blocks.length} blocks, each via its node`,
    table.evidence,
  );
}

/** Every path the router holds inside an advertised prefix carries that prefix's communities; no other path carries any. */
async function communitiesOnAdvertisedPrefixesSeen(cluster: Cluster, router: string): Promise<Verdict> {
  const [objects, table] = await Promise.all([cluster.bgpObjects(), routerBgpTable(cluster, router)]);
  const evidence = [...table.evidence];
  const findings: string[] = [];
  const learned = [...new Set(table.value.filter((route) => route.peer !== '(unspec)').map((route) => route.prefix))];
  for (const prefix of learned) {
    const address = prefix.split('/')[0] as string;
    const want = objects.configuration.prefixAdvertisements
      .filter((advertisement) => cidrContains(parseCidr(advertisement.cidr, { loose: true }), address))
      .flatMap((advertisement) => advertisement.communities);
    const paths = await routerPrefixPaths(cluster, router, prefix);
    evidence.push(...paths.evidence);
    for (const path of paths.value) {
      if (!sameSet(path.communities, want))
        findings.push(`${prefix} from ${path.peer} carries ${list(path.communities)}, expected ${list(want)}`);
    }
  }
  return verdict(
    findings.length === 0,
    'each prefix the router learned carries exactly the communities of the prefixAdvertisement covering it (none outside one)',
    findings.length ? findings.join('; ') : `${learned.length} prefixes as expected`,
    evidence,
  );
}

/** On every node: its own blocks are BIRD's blackholes, every other block goes via the router's address on the node's subnet, by BIRD, on eth1. */
export async function nodesRouteBlocksViaRouter(cluster: Cluster, router: string): Promise<Verdict> {
  const [nodes, allBlocks, seenRouter] = await Promise.all([cluster.nodes(), cluster.ipamBlocks(), routerAddresses(cluster, router)]);
  const blocks = podBlocksOfNodes(allBlocks, nodes);
  const evidence = [...seenRouter.evidence];
  const findings: string[] = [];
  for (const node of nodes) {
    const gateway = routerAddressFor(seenRouter.addresses, node);
    const table = await routes(cluster, nodeTarget(node.name));
    evidence.push(...table.evidence);
    for (const block of blocks) {
      const route = table.value.find((candidate) => candidate.prefix === block.cidr);
      const own = block.node === node.name;
      const ok = own
        ? route?.type === 'blackhole' && route.proto === 'bird'
        : route?.gateway === gateway && route?.dev === 'eth1' && route?.proto === 'bird' && !route.nexthops?.length;
      if (!ok)
        findings.push(
          `${node.name}: ${block.cidr} ${route ? `${route.type === 'blackhole' ? 'blackhole' : `via ${route.gateway ?? '-'} dev ${route.dev ?? '-'}`} proto ${route.proto ?? '-'}` : 'no route'}, expected ${own ? 'blackhole proto bird' : `via ${gateway} dev eth1 proto bird`}`,
        );
    }
  }
  return verdict(
    findings.length === 0,
    "on every node, its own blocks are blackholes by BIRD and every other node's block goes via the router's address on its subnet, dev eth1, by BIRD",
    findings.length ? findings.join('; ') : `${nodes.length} nodes, ${blocks.length} blocks as expected`,
    evidence,
  );
}

/** The router pings a pod: answered by the pod's own IP with `ttl`, and the pod sees the router's address as the source (no NAT). */
export async function routerPingsPod(cluster: Cluster, router: string, pod: PodInfo, ttl: number): Promise<Verdict> {
  let seen;
  try {
    seen = await ping(cluster, routerTarget(router), pod.ip as string, 3);
  } catch (error) {
    // ping exits 2 when the router has no route at all: that is what the claim is about.
    if (!(error instanceof ProbeFailure) || error.reason !== 'exit' || error.result.timedOut) throw error;
    return verdict(
      false,
      `3 replies from ${describePod(pod)}'s own IP ${pod.ip}, each with TTL ${ttl}`,
      `ping failed: ${(error.result.stderr || error.result.stdout).trim()}`,
      [error.result],
    );
  }
  const replies = seen.value.replies;
  const ok = replies.length === 3 && replies.every((reply) => reply.from === pod.ip && reply.ttl === ttl);
  return verdict(
    ok,
    `3 replies from ${describePod(pod)}'s own IP ${pod.ip}, each with TTL ${ttl}`,
    replies.length
      ? `${replies.length} replies: ${list(replies.map((reply) => `from ${reply.from} ttl ${reply.ttl}`))}`
      : `no reply (${list(seen.value.errors)})`,
    seen.evidence,
  );
}

export const routerSessionsFromNodes = aboutWhatRuns(routerSessionsFromNodesSeen);
export const routerReceives = afterBgpSettles(aboutWhatRuns(routerReceivesSeen));
export const routerAdvertisesNodeSubnet = aboutWhatRuns(routerAdvertisesNodeSubnetSeen);
export const routerSessionWith = afterBgpSettles(aboutWhatRuns(routerSessionWithSeen));
export const routerReceivesOwnBlocks = aboutWhatRuns(routerReceivesOwnBlocksSeen);
export const communitiesOnAdvertisedPrefixes = aboutWhatRuns(communitiesOnAdvertisedPrefixesSeen);
