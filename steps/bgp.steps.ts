import { After, Status, Then, When } from '@cucumber/cucumber';
import {
  bgpConfigurationIs,
  bgpPeerIs,
  nodeSessionsFollowPeers,
  nodesLabelled,
  nodesOnRouterSubnet,
  routerAdvertisesNodeSubnet,
  routerReceives,
  routerRouteVia,
  routerSessionsFromNodes,
  routerSessionWith,
  poolAdvertisedNatively,
  bgpConfigurationAdvertises,
  nodesCarryLabel,
  routerReceivesOwnBlocks,
  routerRoutesBlocksToNodes,
  communitiesOnAdvertisedPrefixes,
  nodesRouteBlocksViaRouter,
  routerPingsPod,
} from '../support/claims/bgp.ts';
import { labelQuietNode, removeNodeLabel, setRouterMaximumPaths } from '../support/claims/bgp-actions.ts';
import type { CalicoBgpObjects } from '../support/net/calico-bgp.ts';
import { formatBgpPicture, gatherBgp } from '../support/diagnosis/bgp.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

/** Long enough for BGP to settle after a change (BIRD waits 2 s before it connects; a loaded machine is slower). */
const BGP_CHANGE = { timeout: 60_000 };

/** The name of the scenario's router (PodNetWorld.router() holds where it comes from). */
const router = (world: PodNetWorld): string => world.router().name;

/** The LoadBalancer range: the CIDR of the pool Calico's LoadBalancer IPAM allocates from (allowedUses LoadBalancer). */
const lbRange = (objects: CalicoBgpObjects) =>
  objects.pools.filter((pool) => pool.allowedUses.includes('LoadBalancer')).map((pool) => pool.cidr);

Then(
  "every node's InternalIP is its address on eth1, on a subnet of the router, which it reaches directly",
  async function (this: PodNetWorld) {
    await this.verify(nodesOnRouterSubnet(this.cluster, router(this)));
  },
);

Then(
  'the BGP configuration has AS number {int}, the node-to-node mesh {word} and log severity {string}',
  async function (this: PodNetWorld, asNumber: number, mesh: string, logSeverity: string) {
    if (mesh !== 'on' && mesh !== 'off') throw new Error(`the mesh is "on" or "off", not "${mesh}"`);
    await this.verify(bgpConfigurationIs(this.cluster, { asNumber, mesh: mesh === 'on', logSeverity }));
  },
);

Then(
  'BGPPeer {string} peers with the router in AS {int} for the nodes selected by {string}',
  async function (this: PodNetWorld, name: string, asNumber: number, nodeSelector: string) {
    await this.verify(bgpPeerIs(this.cluster, router(this), name, { asNumber, nodeSelector }));
  },
);

Then('exactly {int} worker nodes carry the label {string}', async function (this: PodNetWorld, count: number, label: string) {
  await this.verify(nodesLabelled(this.cluster, label, count));
});

Then(
  'every node a BGPPeer selects runs one Established session to the router, and every other node none',
  async function (this: PodNetWorld) {
    await this.verify(nodeSessionsFollowPeers(this.cluster, router(this)));
  },
);

Then('the router holds one Established session from each BGP-speaking node', async function (this: PodNetWorld) {
  await this.verify(routerSessionsFromNodes(this.cluster, router(this)));
});

Then(
  'exactly the nodes labelled {string} run one Established session to the router, and every other node none',
  async function (this: PodNetWorld, label: string) {
    await this.verify(nodeSessionsFollowPeers(this.cluster, router(this), { label }));
  },
);

Then(
  'the router holds one Established session from each node labelled {string}, and from no other',
  async function (this: PodNetWorld, label: string) {
    await this.verify(routerSessionsFromNodes(this.cluster, router(this), { label }));
  },
);

Then('the router receives no prefix from any node', async function (this: PodNetWorld) {
  await this.verify(routerReceives(this.cluster, router(this), { prefixes: () => [] }));
});

Then('the router receives the LoadBalancer range and nothing else from each BGP-speaking node', async function (this: PodNetWorld) {
  await this.verify(routerReceives(this.cluster, router(this), { prefixes: lbRange }));
});

Then("the router advertises each BGP-speaking node's subnet to it", async function (this: PodNetWorld) {
  await this.verify(routerAdvertisesNodeSubnet(this.cluster, router(this)));
});

Then('the router routes the LoadBalancer range via exactly one BGP-speaking node', async function (this: PodNetWorld) {
  await this.verify(routerRouteVia(this.cluster, router(this), (objects) => lbRange(objects)[0] ?? '(no LoadBalancer pool)', 'one'));
});

Then('the router routes the LoadBalancer range via every BGP-speaking node', async function (this: PodNetWorld) {
  await this.verify(
    routerRouteVia(this.cluster, router(this), (objects) => lbRange(objects)[0] ?? '(no LoadBalancer pool)', 'every-speaker'),
  );
});

Then('the router routes the LoadBalancer range via exactly one node labelled {string}', async function (this: PodNetWorld, label: string) {
  await this.verify(
    routerRouteVia(this.cluster, router(this), (objects) => lbRange(objects)[0] ?? '(no LoadBalancer pool)', 'one', { label }),
  );
});

Then(
  'the router routes the LoadBalancer range via every node labelled {string}, and no other',
  async function (this: PodNetWorld, label: string) {
    await this.verify(
      routerRouteVia(this.cluster, router(this), (objects) => lbRange(objects)[0] ?? '(no LoadBalancer pool)', 'every-speaker', { label }),
    );
  },
);

When('the router installs up to {int} equal-cost BGP paths', BGP_CHANGE, async function (this: PodNetWorld, paths: number) {
  await setRouterMaximumPaths(this.cluster, this.router(), paths, this.keepUndo);
});

When(
  'a node without a BGP session is labelled {string}, called {string}',
  BGP_CHANGE,
  async function (this: PodNetWorld, label: string, alias: string) {
    this.nameNode(alias, await labelQuietNode(this.cluster, label, this.keepUndo));
  },
);

When('the label {string} is removed from {node}', BGP_CHANGE, async function (this: PodNetWorld, key: string, node: string) {
  await removeNodeLabel(this.cluster, node, key, this.keepUndo);
});

Then(
  'the router holds an Established session from {node}, which advertises the LoadBalancer range',
  async function (this: PodNetWorld, node: string) {
    await this.verify(routerSessionWith(this.cluster, router(this), node, { present: true, prefixes: lbRange }));
  },
);

Then('the router holds no session from {node}', async function (this: PodNetWorld, node: string) {
  await this.verify(routerSessionWith(this.cluster, router(this), node, { present: false, prefixes: () => [] }));
});

Then(
  'IP pool {string} routes natively: no encapsulation, no outgoing NAT, BGP export on',
  async function (this: PodNetWorld, name: string) {
    await this.verify(poolAdvertisedNatively(this.cluster, name));
  },
);

Then(
  "the BGP configuration advertises the LoadBalancer pool's range and gives the pod pool's prefix the community {string}",
  async function (this: PodNetWorld, community: string) {
    await this.verify(bgpConfigurationAdvertises(this.cluster, community));
  },
);

Then('exactly {int} nodes carry the label {string}', async function (this: PodNetWorld, count: number, label: string) {
  await this.verify(nodesCarryLabel(this.cluster, label, count));
});

Then("from every node the router receives exactly the node's own blocks and the LoadBalancer range", async function (this: PodNetWorld) {
  await this.verify(routerReceivesOwnBlocks(this.cluster, router(this)));
});

Then('the router routes every pod block to its node', async function (this: PodNetWorld) {
  await this.verify(routerRoutesBlocksToNodes(this.cluster, router(this)));
});

Then('every prefix the router learned carries the communities advertised for it, and no other', async function (this: PodNetWorld) {
  await this.verify(communitiesOnAdvertisedPrefixes(this.cluster, router(this)));
});

Then(
  "every node routes each other node's block via the router's address on its own subnet, and blackholes its own, by BIRD",
  async function (this: PodNetWorld) {
    await this.verify(nodesRouteBlocksViaRouter(this.cluster, router(this)));
  },
);

Then(
  'the router pings {pod} and every reply comes from its IP with TTL {int}',
  async function (this: PodNetWorld, pod: PodInfo, ttl: number) {
    await this.verify(routerPingsPod(this.cluster, router(this), pod, ttl));
  },
);

const BGP_LESSONS = ['@lesson-07', '@lesson-08', '@lesson-10', '@lesson-15'];

After(
  { name: 'diagnose a failed BGP claim: session states and who advertised what', timeout: 60_000 },
  async function (this: PodNetWorld, { result, pickle }) {
    if (result?.status !== Status.FAILED || !pickle.tags.some((tag) => BGP_LESSONS.includes(tag.name))) return;
    try {
      const { picture } = await gatherBgp(this.cluster, router(this));
      this.attach(formatBgpPicture(picture), { mediaType: 'text/plain', fileName: 'diagnosis-bgp.txt' });
    } catch (error) {
      this.attach(`the BGP diagnosis could not look: ${(error as Error).message}`, {
        mediaType: 'text/plain',
        fileName: 'diagnosis-bgp.txt',
      });
    }
  },
);
