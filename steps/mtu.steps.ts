/** Lesson 18: MTUs, don't-fragment pings, and path MTU discovery across the router. */
import { Given, Then, When } from '@cucumber/cucumber';
import {
  answered,
  apiServer,
  cachedPathMtu,
  deviceMtuEverywhere,
  fragNeededSeen,
  handshakeMss,
  icmpSourceRoutedVia,
  internalIPOnDevice,
  noOversizedRequest,
  podAndHostSideMtu,
  podMtuFollowsHost,
  podsOnDifferentSubnets,
  refusedLocally,
  repliesSized,
  tcpCarriesDf,
  timedOut,
  vxlanMtuEverywhere,
  vxlanRequestsOfLength,
  type SizedPingSeen,
} from '../support/claims/mtu.ts';
import { calicoNodes } from '../support/claims/overlay.ts';
import { interfaces, interfaceNamed } from '../support/probes/interfaces.ts';
import {
  fetchHealthz,
  fetchHealthzWhileCaptured,
  pingSizedWhileCaptured,
  pingSizedWhileHostSideCaptured,
  setControlPlaneReversePathFilter,
  setInstallationMtu,
  setRouterMtuTowards,
  type HealthzFetchUnderCapture,
  type SizedPingUnderCapture,
} from '../support/claims/mtu-actions.ts';
import type { Observation } from '../support/probes/observation.ts';
import { podTarget } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

declare module '../support/seen.ts' {
  interface Seen {
    /** A ping of a given size, not to be fragmented (the capture around it is packetCapture). */
    sizedPing: SizedPingSeen;
  }
}

/** Keeps the capture and the sized ping it surrounded (as a ping too: the path picture and the diagnosis read pings). */
function keepSizedPing(world: PodNetWorld, seen: Observation<SizedPingUnderCapture>): void {
  const { capture, ping } = world.observe(seen);
  world.saw('packetCapture', capture);
  if (ping) world.saw('ping', world.saw('sizedPing', ping));
}

/** Keeps the capture and the fetch it surrounded. */
function keepCapturedFetch(world: PodNetWorld, seen: Observation<HealthzFetchUnderCapture>): void {
  const { capture, fetch } = world.observe(seen);
  world.saw('packetCapture', capture);
  world.saw('fetch', fetch);
}

const SIZED_PING = 'a When step that pings with a size, not to be fragmented';
const CAPTURED = 'a When step that captures';
const FETCHED = "a When step that fetches the API server's /healthz";

Then("every node's {word} has MTU {int}", function (this: PodNetWorld, dev: string, mtu: number) {
  return this.verify(deviceMtuEverywhere(this.cluster, dev, mtu));
});

Then('the {word} of the node of {pod} has MTU {int}', function (this: PodNetWorld, dev: string, pod: PodInfo, mtu: number) {
  return this.verify(deviceMtuEverywhere(this.cluster, dev, mtu, pod.node));
});

Then("every node's InternalIP is its {word} address", function (this: PodNetWorld, dev: string) {
  return this.verify(internalIPOnDevice(this.cluster, dev));
});

Then('{pod} and {pod} run on nodes of different subnets', function (this: PodNetWorld, a: PodInfo, b: PodInfo) {
  return this.verify(podsOnDifferentSubnets(this.cluster, a, b));
});

Then(
  "the MTU of {pod}'s eth0 is the smallest MTU of its node's up host interfaces less {int} bytes",
  function (this: PodNetWorld, pod: PodInfo, overhead: number) {
    return this.verify(podMtuFollowsHost(this.cluster, pod, overhead));
  },
);

Then("the MTU of {pod}'s eth0 and of its host side is {int}", function (this: PodNetWorld, pod: PodInfo, mtu: number) {
  return this.verify(podAndHostSideMtu(this.cluster, pod, this.hostInterfaces.get(pod), mtu));
});

Then("on every node vxlan.calico's MTU is {int}", function (this: PodNetWorld, mtu: number) {
  return this.verify(vxlanMtuEverywhere(this.cluster, mtu));
});

// On a live cluster the operator then rolls calico-node out, node by node (setInstallationMtu waits up to 5 min).
When("the Installation's MTU is set to {int}", { timeout: 360_000 }, function (this: PodNetWorld, mtu: number) {
  return setInstallationMtu(this.cluster, mtu, this.keepUndo);
});

When(
  '{pod} pings {pod} {int} times with {int} bytes of data, not to be fragmented, while the host side of {pod} is captured',
  async function (this: PodNetWorld, source: PodInfo, target: PodInfo, count: number, size: number, on: PodInfo) {
    keepSizedPing(this, await pingSizedWhileHostSideCaptured(this.cluster, { from: source, to: target, count, size }, on));
  },
);

When(
  '{pod} pings {pod} {int} times with {int} bytes of data, not to be fragmented, while the {word} of the node of {pod} is captured',
  async function (this: PodNetWorld, source: PodInfo, target: PodInfo, count: number, size: number, iface: string, on: PodInfo) {
    keepSizedPing(this, await pingSizedWhileCaptured(this.cluster, { from: source, to: target, count, size }, iface, on.node));
  },
);

Then('ping refuses every request in the pod with the kernel\'s "message too long" and the MTU of its eth0', function (this: PodNetWorld) {
  return this.verify(refusedLocally(this.cluster, this.seen('sizedPing', SIZED_PING)));
});

Then(
  "the capture shows the default-size request and no echo request longer than the MTU of {pod}'s eth0",
  async function (this: PodNetWorld, pod: PodInfo) {
    const mtu = interfaceNamed(this.observe(await interfaces(this.cluster, podTarget(pod))), 'eth0')?.mtu ?? 0;
    const ping = this.seen('sizedPing', SIZED_PING);
    return this.verify(noOversizedRequest(this.seen('packetCapture', CAPTURED), ping.from, ping.to, mtu));
  },
);

Then('every reply is {int} bytes and carries TTL {int}', function (this: PodNetWorld, bytes: number, ttl: number) {
  return this.verify(repliesSized(this.seen('sizedPing', SIZED_PING), bytes, ttl));
});

Then('the capture shows the echo requests as VXLAN packets of IP length {int}', async function (this: PodNetWorld, length: number) {
  const ping = this.seen('sizedPing', SIZED_PING);
  return this.verify(vxlanRequestsOfLength(this.seen('packetCapture', CAPTURED), ping.from, ping.to, length));
});

Given(
  "the router's interface on the subnet of the node of {pod} has MTU {int}",
  async function (this: PodNetWorld, pod: PodInfo, mtu: number) {
    this.observe(await setRouterMtuTowards(this.cluster, this.router(), pod, mtu, this.keepUndo));
  },
);

Given("the control-plane node's reverse-path filter is {int}", async function (this: PodNetWorld, mode: number) {
  this.observe(await setControlPlaneReversePathFilter(this.cluster, mode, this.keepUndo));
});

When("the API server's \\/healthz is fetched over TLS from the node of {pod}", async function (this: PodNetWorld, pod: PodInfo) {
  this.saw('fetch', this.observe(await fetchHealthz(this.cluster, pod.node)));
});

When(
  "the API server's \\/healthz is fetched over TLS from the node of {pod} while the {word} of the control-plane node is captured",
  async function (this: PodNetWorld, pod: PodInfo, iface: string) {
    keepCapturedFetch(this, await fetchHealthzWhileCaptured(this.cluster, pod.node, iface));
  },
);

Then('the answer is {string}', function (this: PodNetWorld, body: string) {
  const fetch = this.seen('fetch', FETCHED);
  return this.verify(answered(fetch.observation, fetch.from, body));
});

Then("the fetch times out with curl's exit code for a timeout", function (this: PodNetWorld) {
  const fetch = this.seen('fetch', FETCHED);
  return this.verify(timedOut(fetch.observation, fetch.from));
});

async function calicoIPOf(world: PodNetWorld, alias: string): Promise<string> {
  const { nodes } = await calicoNodes(world.cluster);
  const found = nodes.find((node) => node.name === world.pod(alias).node);
  if (!found) throw new Error(`no Calico address for the node of "${alias}"`);
  return found.ip;
}

Then(
  'the capture shows the router\'s ICMP "fragmentation needed" with MTU {int} to the API server, quoting its TCP segment to the node of {string} with DF set',
  async function (this: PodNetWorld, mtu: number, alias: string) {
    const server = await apiServer(this.cluster);
    return this.verify(fragNeededSeen(this.seen('packetCapture', CAPTURED), server.ip, 6443, await calicoIPOf(this, alias), mtu));
  },
);

Then(
  'the capture shows every TCP segment between the node of {string} and the API server with DF set',
  async function (this: PodNetWorld, alias: string) {
    const server = await apiServer(this.cluster);
    return this.verify(tcpCarriesDf(this.seen('packetCapture', CAPTURED), server.ip, await calicoIPOf(this, alias)));
  },
);

Then(
  "the capture shows the SYN from the node of {string} with MSS {int} and the API server's SYN-ACK with MSS {int}",
  async function (this: PodNetWorld, alias: string, syn: number, synAck: number) {
    const server = await apiServer(this.cluster);
    return this.verify(handshakeMss(this.seen('packetCapture', CAPTURED), server.ip, await calicoIPOf(this, alias), syn, synAck));
  },
);

Then("the control-plane node routes the ICMP's source via {word}", async function (this: PodNetWorld, dev: string) {
  const server = await apiServer(this.cluster);
  return this.verify(icmpSourceRoutedVia(this.cluster, this.seen('packetCapture', CAPTURED), server.node, dev));
});

Then('the control-plane node caches no path MTU for the node of {string}', async function (this: PodNetWorld, alias: string) {
  const server = await apiServer(this.cluster);
  return this.verify(cachedPathMtu(this.cluster, server.node, await calicoIPOf(this, alias), undefined));
});

Then(
  'the control-plane node caches a path MTU of {int} for the node of {string}',
  async function (this: PodNetWorld, mtu: number, alias: string) {
    const server = await apiServer(this.cluster);
    return this.verify(cachedPathMtu(this.cluster, server.node, await calicoIPOf(this, alias), mtu));
  },
);
