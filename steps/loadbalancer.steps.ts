import { Then, When } from '@cucumber/cucumber';
import {
  bgpConfigurationAdvertisesLoadBalancerRange,
  clusterIPUnreachableFromRouter,
  loadBalancerMasqueradedBySpeaker,
  loadBalancerPoolIs,
  loadBalancerRange,
  loadBalancerTrafficUnencapsulated,
  loadBalancerTranslatedByNodes,
  routerHasNoRouteFor,
  routerReachesLoadBalancer,
  routerRoutesViaOtherSpeakers,
  serviceHasLoadBalancerAddress,
} from '../support/claims/loadbalancer.ts';
import { bgpAddressOf, speaks } from '../support/claims/bgp.ts';
import { list } from '../support/evidence.ts';
import { protocolName } from '../support/net/calico-bgp.ts';
import { gatewaysOf, routes } from '../support/probes/routes.ts';
import { birdBgpSessions, routerBgpSummary, switchBirdProtocol } from '../support/probes/bgp.ts';
import { EnvironmentError } from '../support/domain.ts';
import { waitUntil } from '../support/eventually.ts';
import type { PodNetWorld } from '../support/world.ts';

/** Long enough for BGP to settle after a change (BIRD waits 2 s before it connects; a loaded machine is slower). */
const BGP_CHANGE = { timeout: 60_000 };

/** The name of the scenario's router (PodNetWorld.router() holds where it comes from). */
const router = (world: PodNetWorld): string => world.router().name;

Then(
  "a TCP connection from the router to Service {string}'s ClusterIP fails, and the router has no route covering the Service CIDR",
  async function (this: PodNetWorld, service: string) {
    await this.verify(clusterIPUnreachableFromRouter(this.cluster, router(this), service));
  },
);

Then(
  'IP pool {string} is one \\/{int} block with block size {int}, allowed uses {string} and assignment mode {string}, beside the default pool, and no pod has an address from it',
  async function (this: PodNetWorld, name: string, prefix: number, blockSize: number, uses: string, assignmentMode: string) {
    await this.verify(loadBalancerPoolIs(this.cluster, name, { prefix, blockSize, allowedUses: uses.split(/,\s*/), assignmentMode }));
  },
);

Then(
  'Service {string} has a LoadBalancer address from the LoadBalancer pool, a ClusterIP in the Service CIDR and a nodePort in 30000-32767',
  async function (this: PodNetWorld, service: string) {
    await this.verify(serviceHasLoadBalancerAddress(this.cluster, service));
  },
);

Then(
  'the BGP configuration advertises the LoadBalancer range, with AS number {int} and the node-to-node mesh off',
  async function (this: PodNetWorld, asNumber: number) {
    await this.verify(bgpConfigurationAdvertisesLoadBalancerRange(this.cluster, asNumber));
  },
);

When('the BGP configuration leaves serviceLoadBalancerIPs out', BGP_CHANGE, async function (this: PodNetWorld) {
  const before = (await this.cluster.bgpObjects()).configuration.serviceLoadBalancerIPs;
  this.changed('BGPConfiguration default serviceLoadBalancerIPs', () => this.cluster.setServiceLoadBalancerIPs(before));
  await this.cluster.setServiceLoadBalancerIPs([]);
});

When('the BGP configuration advertises the LoadBalancer range again', BGP_CHANGE, async function (this: PodNetWorld) {
  const range = loadBalancerRange(await this.cluster.bgpObjects());
  if (!range) throw new Error('the cluster has no IPPool with allowedUses LoadBalancer');
  await this.cluster.setServiceLoadBalancerIPs([range]);
});

Then('the router has no route for the LoadBalancer range', async function (this: PodNetWorld) {
  await this.verify(routerHasNoRouteFor(this.cluster, router(this), (objects) => loadBalancerRange(objects) ?? '(no LoadBalancer pool)'));
});

When('the BGP session of one BGP-speaking node goes down, called {string}', BGP_CHANGE, async function (this: PodNetWorld, alias: string) {
  const [nodes, objects, table] = await Promise.all([this.cluster.nodes(), this.cluster.bgpObjects(), routes(this.cluster, this.router())]);
  // The node the router sends the LoadBalancer range to now, so that losing it matters.
  const route = table.value.find((candidate) => candidate.prefix === loadBalancerRange(objects));
  const via = gatewaysOf(route)[0];
  const speakers = nodes.filter((candidate) => speaks({}, objects, candidate));
  const node = speakers.find((candidate) => bgpAddressOf(candidate) === via) ?? speakers.at(-1);
  if (!node) throw new Error('no node speaks BGP');
  const sessions = await birdBgpSessions(this.cluster, node.name);
  // The session to the router: confd names a BGPPeer's protocol after its address (Global_… or Node_…).
  const toRouter = objects.peers.flatMap((peer) => (['Global', 'Node'] as const).map((kind) => protocolName(kind, peer.peerIP)));
  const protocol = sessions.value.find((session) => toRouter.includes(session.name))?.name;
  if (!protocol)
    throw new Error(`node ${node.name} runs no BGP session to the router (${list(objects.peers.map((peer) => peer.peerIP))}) to take down`);
  this.nameNode(alias, { node: node.name, detail: `BGP address ${bgpAddressOf(node)}, session ${protocol}` });
  this.changed(`BGP session ${protocol} of ${node.name}`, async () => {
    await switchBirdProtocol(this.cluster, node.name, protocol, true);
    await untilSession(this, bgpAddressOf(node), true);
  });
  await switchBirdProtocol(this.cluster, node.name, protocol, false);
  await untilSession(this, bgpAddressOf(node), false);
  await untilRouteLeaves(this, loadBalancerRange(objects), bgpAddressOf(node));
});

/**
 * Waits (bounded, 10 s) until zebra has taken the node's path out of the router's kernel route, as
 * BGP settling does. If it has not, the scenario goes on to its Then, which judges the route; the
 * last route seen is attached so the report shows what the wait saw.
 */
async function untilRouteLeaves(world: PodNetWorld, prefix: string | undefined, address: string): Promise<void> {
  try {
    await waitUntil(
      `the router's route to ${prefix} to lose next hop ${address}`,
      async () => {
        const table = await routes(world.cluster, world.router());
        const hops = gatewaysOf(table.value.find((candidate) => candidate.prefix === prefix));
        return hops.includes(address) ? { done: false, seen: `${prefix} via ${hops.join(', ')}` } : { done: true, value: undefined };
      },
      { withinMs: 10_000, everyMs: 250 },
    );
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    world.attach(error.message, { mediaType: 'text/plain', fileName: 'route-still-there.txt' });
  }
}

/** Waits (bounded) until the router sees the node's session Established or not. */
async function untilSession(world: PodNetWorld, address: string, established: boolean): Promise<void> {
  await waitUntil(
    `the router's session with ${address} to be ${established ? 'Established' : 'down'}`,
    async () => {
      const peer = (await routerBgpSummary(world.cluster, router(world))).value.peers.find((candidate) => candidate.address === address);
      const up = peer?.state === 'Established';
      return up === established
        ? { done: true, value: undefined }
        : { done: false, seen: peer ? `${address} ${peer.state}` : `no peer ${address}` };
    },
    { withinMs: 50_000, everyMs: 500 },
  );
}

Then(
  'the router routes the LoadBalancer range via the other BGP-speaking nodes, not via {string}',
  async function (this: PodNetWorld, alias: string) {
    await this.verify(routerRoutesViaOtherSpeakers(this.cluster, router(this), this.node(alias)));
  },
);

Then("from the router, Service {string}'s LoadBalancer address answers as nginx", async function (this: PodNetWorld, service: string) {
  await this.verify(routerReachesLoadBalancer(this.cluster, router(this), service));
});

Then(
  "from the router, Service {string}'s LoadBalancer address answers as nginx, translated by the node the router picked with kube-proxy's loadbalancer IP rule, which every node holds",
  async function (this: PodNetWorld, service: string) {
    await this.verify(loadBalancerTranslatedByNodes(this.cluster, router(this), service));
  },
);

Then(
  "a connection from the router to Service {string}'s LoadBalancer address crosses no node's eth1 encapsulated in VXLAN",
  async function (this: PodNetWorld, service: string) {
    await this.verify(loadBalancerTrafficUnencapsulated(this.cluster, router(this), service));
  },
);

Then(
  "from the router, Service {string}'s LoadBalancer address answers as nginx, and the nginx pod that took the connection saw it from a BGP-speaking node, not from the router",
  async function (this: PodNetWorld, service: string) {
    await this.verify(loadBalancerMasqueradedBySpeaker(this.cluster, router(this), service));
  },
);
