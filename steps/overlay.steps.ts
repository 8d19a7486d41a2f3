/** Lesson 06: nodes on two subnets behind a router, and VXLAN between the subnets only. */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import {
  blockRoutesBySubnet,
  tunnelAddressesThroughBlockRoutes,
  calicoAddressOnDevice,
  calicoNodes,
  nodeToNodePaths,
  nothingPointsAt,
  routerKnowsNoPods,
  routerRoutesConnectedOnly,
  subnetSizes,
  tunnelAddressOnDevice,
  vtepEntries,
  vxlanDeviceShape,
  vxlanMtuRule,
} from '../support/claims/overlay.ts';
import {
  noPodAddressOutside,
  onlyVxlanBetweenNodes,
  type WireCapture,
  plainIcmpNoVxlan,
  vxlanArrivesFrom,
} from '../support/claims/encapsulation.ts';
import { ceosSwitchState } from '../support/claims/router-api.ts';
import { ipPoolReads } from '../support/claims/ippool.ts';
import { cidrContains } from '../support/net/cidr.ts';
import { nodeTarget } from '../support/subjects.ts';
import { pingUnderWireCapture } from '../support/claims/overlay-actions.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

Then("Calico's node addresses lie on subnets of {int} and {int} nodes", function (this: PodNetWorld, a: number, b: number) {
  return this.verify(subnetSizes(this.cluster, [a, b]));
});

Then('every node reaches the nodes of its own subnet directly on {word}', function (this: PodNetWorld, dev: string) {
  return this.verify(nodeToNodePaths(this.cluster, this.router(), dev, 'same'));
});

Then(
  "every node reaches the nodes of the other subnet via the router's address on its own subnet, on {word}",
  function (this: PodNetWorld, dev: string) {
    return this.verify(nodeToNodePaths(this.cluster, this.router(), dev, 'other'));
  },
);

Then('the router routes only its directly connected subnets', function (this: PodNetWorld) {
  return this.verify(routerRoutesConnectedOnly(this.cluster, this.router()));
});

Then('the router has no default route and no route covering the IP pool', function (this: PodNetWorld) {
  return this.verify(routerKnowsNoPods(this.cluster, this.router()));
});

Then(
  "the switch's JSON output shows its VLAN ports connected, its VLAN interfaces up at MTU {int} and no gateway of last resort",
  function (this: PodNetWorld, mtu: number) {
    return this.verify(ceosSwitchState(this.cluster, this.router(), mtu));
  },
);

Then('the IP pool {string} reads:', function (this: PodNetWorld, name: string, table: DataTable) {
  return this.verify(
    ipPoolReads(this.cluster, name, Object.fromEntries(table.raw().map(([key, value]) => [key as string, value as string]))),
  );
});

Then("every node's Calico address is its {word} address, with its prefix", function (this: PodNetWorld, dev: string) {
  return this.verify(calicoAddressOnDevice(this.cluster, dev));
});

Then("no route to a remote block and no VXLAN FDB entry points at a node's {word} address", function (this: PodNetWorld, dev: string) {
  return this.verify(nothingPointsAt(this.cluster, dev));
});

Then(
  'on every node each remote block is routed natively within a subnet and through vxlan.calico across subnets',
  function (this: PodNetWorld) {
    return this.verify(blockRoutesBySubnet(this.cluster, 'remote'));
  },
);

Then(
  "on every node each other node's tunnel address is reached through the route to that node's block, with no route of its own",
  function (this: PodNetWorld) {
    return this.verify(tunnelAddressesThroughBlockRoutes(this.cluster));
  },
);

Then('on every node its own blocks are blackholes', function (this: PodNetWorld) {
  return this.verify(blockRoutesBySubnet(this.cluster, 'own'));
});

Then(
  "on every node vxlan.calico has VNI {int}, port {int}, no learning, and the node's Calico address as local address on {word}",
  function (this: PodNetWorld, vni: number, port: number, dev: string) {
    return this.verify(vxlanDeviceShape(this.cluster, vni, port, dev));
  },
);

Then(
  "on every node vxlan.calico's MTU is the smallest MTU of its up host interfaces less {int} bytes",
  function (this: PodNetWorld, overhead: number) {
    return this.verify(vxlanMtuRule(this.cluster, overhead));
  },
);

Then("on every node vxlan.calico holds only the node's tunnel address, as a \\/32 in a block of the node", function (this: PodNetWorld) {
  return this.verify(tunnelAddressOnDevice(this.cluster));
});

Then(
  "on every node vxlan.calico has a permanent neighbour entry for every other node's tunnel address and MAC",
  function (this: PodNetWorld) {
    return this.verify(vtepEntries(this.cluster, 'neighbour'));
  },
);

Then(
  "on every node vxlan.calico has a permanent FDB entry sending every other node's tunnel MAC to its Calico address",
  function (this: PodNetWorld) {
    return this.verify(vtepEntries(this.cluster, 'fdb'));
  },
);

When(
  '{pod} pings {pod} {int} times while the {word} of the node of {pod} is captured',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number, iface: string, on: PodInfo) {
    keepWireCapture(
      this,
      await pingUnderWireCapture(this.cluster, from, to, count, nodeTarget(on.node), iface, `${iface} of node ${on.node}`),
    );
  },
);

When(
  '{pod} pings {pod} {int} times while the router is captured',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number) {
    keepWireCapture(this, await pingUnderWireCapture(this.cluster, from, to, count, this.router(), 'any', 'every interface of the router'));
  },
);

/** Keeps the capture and the ping it surrounded (the path picture and the diagnosis read pings). */
function keepWireCapture(world: PodNetWorld, capture: WireCapture): void {
  world.saw('ping', world.saw('wireCapture', capture).ping);
  world.record(capture.evidence);
  world.attachFiles(capture.files);
}

const CAPTURED_ON_A_LINK = 'a When step that pings while a link is captured';

async function calicoIP(world: PodNetWorld, node: string): Promise<string> {
  const { nodes } = await calicoNodes(world.cluster);
  const found = nodes.find((candidate) => candidate.name === node);
  if (!found) throw new Error(`node ${node} is not among the cluster's nodes`);
  return found.ip;
}

Then(
  'the capture shows the ping only as VXLAN with VNI {int} on port {int} between the Calico addresses of the nodes of {pod} and {pod}',
  async function (this: PodNetWorld, vni: number, port: number, a: PodInfo, b: PodInfo) {
    return this.verify(
      onlyVxlanBetweenNodes(
        this.seen('wireCapture', CAPTURED_ON_A_LINK),
        await calicoIP(this, a.node),
        await calicoIP(this, b.node),
        port,
        vni,
      ),
    );
  },
);

Then('the capture shows the ping as plain ICMP between the pods and no UDP on port {int}', function (this: PodNetWorld, port: number) {
  return this.verify(plainIcmpNoVxlan(this.seen('wireCapture', CAPTURED_ON_A_LINK), port));
});

Then('the capture shows the ping encapsulated, with no pod address in an outer header', async function (this: PodNetWorld) {
  const pools = await this.cluster.ipPools();
  return this.verify(
    noPodAddressOutside(this.seen('wireCapture', CAPTURED_ON_A_LINK), (ip) => pools.some((pool) => cidrContains(pool.cidr, ip))),
  );
});

Then(
  'the capture shows the echo requests arriving as VXLAN on port {int} from the Calico address of the node of {pod}',
  async function (this: PodNetWorld, port: number, from: PodInfo) {
    const capture = this.seen('wireCapture', CAPTURED_ON_A_LINK);
    return this.verify(vxlanArrivesFrom(capture, await calicoIP(this, from.node), await calicoIP(this, capture.ping.to.node), port));
  },
);
