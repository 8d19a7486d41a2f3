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
  routerReachesNodePort,
  routerRoutesViaOtherSpeakers,
  serviceHasLoadBalancerAddress,
} from '../support/claims/loadbalancer.ts';
import {
  advertiseLoadBalancerRange,
  leaveLoadBalancerRangeOut,
  takeDownSpeakerSession,
  type DownedSession,
} from '../support/claims/bgp-actions.ts';
import type { Placement, ServiceName } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';

/** Long enough for BGP to settle after a change (BIRD waits 2 s before it connects; a loaded machine is slower). */
const BGP_CHANGE = { timeout: 60_000 };

/** The name of the scenario's router (PodNetWorld.router() holds where it comes from). */
const router = (world: PodNetWorld): string => world.router().name;

Then(
  "a TCP connection from the router to Service {service}'s ClusterIP fails, and the router has no route covering the Service CIDR",
  async function (this: PodNetWorld, service: ServiceName) {
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
  'Service {service} has a LoadBalancer address from the LoadBalancer pool, a ClusterIP in the Service CIDR and a nodePort in 30000-32767',
  async function (this: PodNetWorld, service: ServiceName) {
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
  await leaveLoadBalancerRangeOut(this.cluster, this.keepUndo);
});

When('the BGP configuration advertises the LoadBalancer range again', BGP_CHANGE, async function (this: PodNetWorld) {
  await advertiseLoadBalancerRange(this.cluster);
});

Then('the router has no route for the LoadBalancer range', async function (this: PodNetWorld) {
  await this.verify(routerHasNoRouteFor(this.cluster, router(this), (objects) => loadBalancerRange(objects) ?? '(no LoadBalancer pool)'));
});

When('the BGP session of one BGP-speaking node goes down, called {string}', BGP_CHANGE, async function (this: PodNetWorld, alias: string) {
  nameDownedNode(this, alias, await takeDownSpeakerSession(this.cluster, this.router(), this.keepUndo));
});

/**
 * Names the node whose session went down; if the router still routed via it when the wait gave
 * up, attaches what the wait last saw, so the report shows it beside the Then that judges the route.
 */
function nameDownedNode(world: PodNetWorld, alias: string, downed: DownedSession): void {
  world.nameNode(alias, downed);
  if (downed.routeStillThere !== undefined)
    world.attach(downed.routeStillThere, { mediaType: 'text/plain', fileName: 'route-still-there.txt' });
}

Then(
  'the router routes the LoadBalancer range via the other BGP-speaking nodes, not via {node}',
  async function (this: PodNetWorld, node: string) {
    await this.verify(routerRoutesViaOtherSpeakers(this.cluster, router(this), node));
  },
);

Then(
  "from the router, Service {service}'s LoadBalancer address answers as nginx",
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(routerReachesLoadBalancer(this.cluster, router(this), service));
  },
);

Then(
  "from the router, Service {service}'s nodePort on {placement} answers as nginx",
  async function (this: PodNetWorld, service: ServiceName, placement: Placement) {
    await this.verify(routerReachesNodePort(this.cluster, router(this), service, placement, this.pods));
  },
);

Then(
  "from the router, Service {service}'s LoadBalancer address answers as nginx, translated by the node the router picked with kube-proxy's loadbalancer IP rule, which every node holds",
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(loadBalancerTranslatedByNodes(this.cluster, router(this), service));
  },
);

Then(
  "a connection from the router to Service {service}'s LoadBalancer address crosses no node's eth1 encapsulated in VXLAN",
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(loadBalancerTrafficUnencapsulated(this.cluster, router(this), service));
  },
);

Then(
  "from the router, Service {service}'s LoadBalancer address answers as nginx, and the nginx pod that took the connection saw it from a BGP-speaking node, not from the router",
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(loadBalancerMasqueradedBySpeaker(this.cluster, router(this), service));
  },
);
