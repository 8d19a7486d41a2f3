/**
 * The When side of the BGP lessons (7, 8, 10, 15): the changes a scenario makes to the router's
 * paths, a node's labels, the BGPConfiguration's LoadBalancer range and a node's BGP session.
 * Each names how to put its change back before it makes it.
 */
import { EnvironmentError, type KeepUndo, type NamedNode } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { waitUntil } from '../eventually.ts';
import { list } from '../evidence.ts';
import { protocolName } from '../net/calico-bgp.ts';
import { birdBgpSessions, routerBgpSummary, switchBirdProtocol } from '../probes/bgp.ts';
import { gatewaysOf, routes } from '../probes/routes.ts';
import type { routerTarget } from '../subjects.ts';
import { bgpAddressOf, speaks } from './bgp.ts';
import { loadBalancerRange } from './loadbalancer.ts';

type Router = ReturnType<typeof routerTarget>;

/** Sets the router's maximum-paths (ibgp when it peers in the nodes' AS) to `paths`; the undo sets it to 1. */
export async function setRouterMaximumPaths(cluster: Cluster, router: Router, paths: number, keepUndo: KeepUndo): Promise<void> {
  const objects = await cluster.bgpObjects();
  const peerAs = objects.peers[0]?.asNumber;
  const summary = [`router bgp ${peerAs}`, 'address-family ipv4 unicast'];
  const internal = peerAs === objects.configuration.asNumber ? ' ibgp' : '';
  keepUndo("the router's maximum-paths", async () => {
    await cluster.configureRouter(router, [...summary, `maximum-paths${internal} 1`]);
  });
  await cluster.configureRouter(router, [...summary, `maximum-paths${internal} ${paths}`]);
}

/** Labels `key=value` a worker node that does not carry the label `key` yet, and returns it. */
export async function labelQuietNode(cluster: Cluster, label: string, keepUndo: KeepUndo): Promise<NamedNode> {
  const [key, value] = label.split('=') as [string, string];
  const nodes = await cluster.nodes();
  const quiet = nodes.find((node) => node.role === 'worker' && node.labels?.[key] === undefined);
  if (!quiet) throw new Error(`no worker node is without the label ${key}`);
  keepUndo(`node ${quiet.name}'s label ${key}`, async () => {
    await cluster.labelNode(quiet.name, { [key]: null });
  });
  await cluster.labelNode(quiet.name, { [key]: value });
  return { node: quiet.name, detail: `BGP address ${bgpAddressOf(quiet)}` };
}

/** Takes the label `key` off `node`; the undo puts back the value it had. */
export async function removeNodeLabel(cluster: Cluster, node: string, key: string, keepUndo: KeepUndo): Promise<void> {
  const value = (await cluster.nodes()).find((candidate) => candidate.name === node)?.labels?.[key];
  if (value === undefined) throw new Error(`node ${node} has no label ${key} to remove`);
  keepUndo(`node ${node}'s label ${key}`, async () => {
    await cluster.labelNode(node, { [key]: value });
  });
  await cluster.labelNode(node, { [key]: null });
}

/** Empties the BGPConfiguration's serviceLoadBalancerIPs; the undo puts back what it held. */
export async function leaveLoadBalancerRangeOut(cluster: Cluster, keepUndo: KeepUndo): Promise<void> {
  const before = (await cluster.bgpObjects()).configuration.serviceLoadBalancerIPs;
  keepUndo('BGPConfiguration default serviceLoadBalancerIPs', () => cluster.setServiceLoadBalancerIPs(before));
  await cluster.setServiceLoadBalancerIPs([]);
}

/**
 * Sets the BGPConfiguration's serviceLoadBalancerIPs to the LoadBalancer pool's range. It names
 * no undo: it puts back what `leaveLoadBalancerRangeOut` took out, whose undo the scenario holds.
 */
export async function advertiseLoadBalancerRange(cluster: Cluster): Promise<void> {
  const range = loadBalancerRange(await cluster.bgpObjects());
  if (!range) throw new Error('the cluster has no IPPool with allowedUses LoadBalancer');
  await cluster.setServiceLoadBalancerIPs([range]);
}

/** The node whose BGP session went down, and the router's route if it still went via the node when the wait ended. */
export interface DownedSession extends NamedNode {
  /** What the wait for the route to leave the node last saw, when it gave up (the Then judges the route). */
  routeStillThere?: string;
}

/**
 * Takes down the session to the router of the BGP-speaking node the router routes the
 * LoadBalancer range via, and waits until the router sees it down and (bounded) its route leave
 * the node; the undo brings the session back up and waits until it is Established.
 */
export async function takeDownSpeakerSession(cluster: Cluster, router: Router, keepUndo: KeepUndo): Promise<DownedSession> {
  const [nodes, objects, table] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routes(cluster, router)]);
  // The node the router sends the LoadBalancer range to now, so that losing it matters.
  const route = table.value.find((candidate) => candidate.prefix === loadBalancerRange(objects));
  const via = gatewaysOf(route)[0];
  const speakers = nodes.filter((candidate) => speaks({}, objects, candidate));
  const node = speakers.find((candidate) => bgpAddressOf(candidate) === via) ?? speakers.at(-1);
  if (!node) throw new Error('no node speaks BGP');
  const sessions = await birdBgpSessions(cluster, node.name);
  // The session to the router: confd names a BGPPeer's protocol after its address (Global_… or Node_…).
  const toRouter = objects.peers.flatMap((peer) => (['Global', 'Node'] as const).map((kind) => protocolName(kind, peer.peerIP)));
  const protocol = sessions.value.find((session) => toRouter.includes(session.name))?.name;
  if (!protocol)
    throw new Error(`node ${node.name} runs no BGP session to the router (${list(objects.peers.map((peer) => peer.peerIP))}) to take down`);
  keepUndo(`BGP session ${protocol} of ${node.name}`, async () => {
    await switchBirdProtocol(cluster, node.name, protocol, true);
    await untilSession(cluster, router, bgpAddressOf(node), true);
  });
  await switchBirdProtocol(cluster, node.name, protocol, false);
  await untilSession(cluster, router, bgpAddressOf(node), false);
  const routeStillThere = await untilRouteLeaves(cluster, router, loadBalancerRange(objects), bgpAddressOf(node));
  return { node: node.name, detail: `BGP address ${bgpAddressOf(node)}, session ${protocol}`, routeStillThere };
}

/**
 * Waits (bounded, 10 s) until zebra has taken the node's path out of the router's kernel route, as
 * BGP settling does. If it has not, it returns what it last saw instead of failing: the scenario
 * goes on to its Then, which judges the route.
 */
async function untilRouteLeaves(
  cluster: Cluster,
  router: Router,
  prefix: string | undefined,
  address: string,
): Promise<string | undefined> {
  try {
    await waitUntil(
      `the router's route to ${prefix} to lose next hop ${address}`,
      async () => {
        const table = await routes(cluster, router);
        const hops = gatewaysOf(table.value.find((candidate) => candidate.prefix === prefix));
        return hops.includes(address) ? { done: false, seen: `${prefix} via ${hops.join(', ')}` } : { done: true, value: undefined };
      },
      { withinMs: 10_000, everyMs: 250 },
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    return error.message;
  }
}

/** Waits (bounded) until the router sees the node's session Established or not. */
async function untilSession(cluster: Cluster, router: Router, address: string, established: boolean): Promise<void> {
  await waitUntil(
    `the router's session with ${address} to be ${established ? 'Established' : 'down'}`,
    async () => {
      const peer = (await routerBgpSummary(cluster, router.name)).value.peers.find((candidate) => candidate.address === address);
      const up = peer?.state === 'Established';
      return up === established
        ? { done: true, value: undefined }
        : { done: false, seen: peer ? `${address} ${peer.state}` : `no peer ${address}` };
    },
    { withinMs: 50_000, everyMs: 500 },
  );
}
