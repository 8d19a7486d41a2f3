/** Lesson 13: WireGuard between the nodes, turned on and off in the FelixConfiguration. */
import { Given, Then, When } from '@cucumber/cucumber';
import type { PodInfo } from '../support/domain.ts';
import { eventually } from '../support/eventually.ts';
import {
  allowedIpsAreRoutes,
  deviceUpWithMtu,
  healthyAndUsers,
  interfaceAddressOfNode,
  kernelWireguardDevice,
  noWireguardAnywhere,
  noWireguardField,
  nothingBetweenOnLink,
  onlyWireguardSeenBetweenNodes,
  peersAsPublished,
  plaintextSeen,
  podsOnDifferentNodes,
  policyRouting,
  transferGrew,
  wireguardEnabledField,
  wireguardMessages,
  type LinkCapture,
} from '../support/claims/wireguard.ts';
import {
  captureClientRound,
  clientRoundOf,
  fetchUnderCapture,
  keepWireguardEnabled,
  leaveWireguardUnset,
  sendClientRound,
  setWireguardEnabled,
  transferAroundRound,
  type LinkCaptureSeen,
} from '../support/claims/wireguard-actions.ts';
import { WIREGUARD_PORT } from '../support/net/calico.ts';
import { httpBody } from '../support/probes/http.ts';
import { podTarget } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';

const WIREGUARD_CHANGE = { timeout: 120_000 };

declare module '../support/seen.ts' {
  interface Seen {
    /** A capture on a node's link around the course's client round or a direct fetch, with the pods it was about. */
    linkCapture: LinkCapture;
  }
}

const lastCapture = (world: PodNetWorld): LinkCapture => world.seen('linkCapture', "a When step that captures a node's link");

/** Keeps a link capture for the Then steps: its commands, its pcap, what it saw. */
function keepCapture(world: PodNetWorld, seen: LinkCaptureSeen): void {
  world.record(seen.evidence);
  world.attachFiles(seen.files);
  world.saw('linkCapture', seen.value);
}

/** The requests of one turn of the client's loop, from the scenario's topology. */
const exchange = (world: PodNetWorld, client: PodInfo, backend: PodInfo) => ({ client, backend, round: clientRoundOf(world.topology) });

Given('WireGuard was never enabled in the FelixConfiguration', WIREGUARD_CHANGE, function (this: PodNetWorld) {
  return leaveWireguardUnset(this.cluster, this.keepUndoForRun);
});

Given('WireGuard is enabled in the FelixConfiguration', WIREGUARD_CHANGE, function (this: PodNetWorld) {
  return keepWireguardEnabled(this.cluster, this.keepUndoForRun);
});

When('the FelixConfiguration is patched with wireguardEnabled {word}', WIREGUARD_CHANGE, function (this: PodNetWorld, value: string) {
  return setWireguardEnabled(this.cluster, value, this.keepUndoForRun);
});

Then('{pod} and {pod} are Running on two different nodes', function (this: PodNetWorld, a: PodInfo, b: PodInfo) {
  return this.verify(podsOnDifferentNodes(a, b));
});

Then(
  'from {pod}, {string} answers \\/api\\/health as healthy and \\/api\\/users with the users and their passwords',
  async function (this: PodNetWorld, from: PodInfo, base: string) {
    const health = await httpBody(this.cluster, podTarget(from), `${base}/api/health`);
    const users = await httpBody(this.cluster, podTarget(from), `${base}/api/users`);
    await this.verify(healthyAndUsers(health, users));
  },
);

Then('the FelixConfiguration default holds no WireGuard field', function (this: PodNetWorld) {
  return this.verify(noWireguardField(this.cluster));
});

Then('the FelixConfiguration default holds wireguardEnabled: true', function (this: PodNetWorld) {
  return this.verify(wireguardEnabledField(this.cluster));
});

Then('no node has an interface wireguard.cali or an ip rule that matches a firewall mark', function (this: PodNetWorld) {
  return this.verify(noWireguardAnywhere(this.cluster, false));
});

Then(
  'within {int} seconds no node has wireguard.cali, an ip rule that matches a firewall mark, or a route through wireguard.cali',
  function (this: PodNetWorld, seconds: number) {
    return this.verify(
      eventually(() => noWireguardAnywhere(this.cluster, true), {
        withinMs: seconds * 1000,
        everyMs: 250,
        settlesWithinMs: this.cluster.settlesWithinMs,
      }),
    );
  },
);

// Traffic only, for a claim about what it leaves behind (a handshake): nothing to keep for a Then.
When('{pod} sends its requests to {pod}', async function (this: PodNetWorld, client: PodInfo, _backend: PodInfo) {
  this.record((await sendClientRound(this.cluster, client, clientRoundOf(this.topology))).evidence);
});

When(
  '{pod} sends its requests to {pod} while the eth0 of the node of {pod} is captured',
  async function (this: PodNetWorld, client: PodInfo, backend: PodInfo, on: PodInfo) {
    keepCapture(this, await captureClientRound(this.cluster, exchange(this, client, backend), on.node, [], ['-A']));
  },
);

When(
  '{pod} sends its requests to {pod} while the WireGuard packets on the eth0 of the node of {pod} are captured',
  async function (this: PodNetWorld, client: PodInfo, backend: PodInfo, on: PodInfo) {
    keepCapture(
      this,
      await captureClientRound(this.cluster, exchange(this, client, backend), on.node, ['udp', 'port', String(WIREGUARD_PORT)], ['-x']),
    );
  },
);

When(
  '{pod} fetches from {pod} directly while the eth0 of their node is captured',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo) {
    keepCapture(this, await fetchUnderCapture(this.cluster, from, to));
  },
);

Then(
  "the capture shows their TCP on port {int} in clear, with the client's headers and the backend's secrets, and no VXLAN",
  function (this: PodNetWorld, port: number) {
    return this.verify(plaintextSeen(lastCapture(this), port));
  },
);

Then(
  'the capture shows none of the secrets and no TCP between the pods, only UDP 51820 between their nodes both ways',
  async function (this: PodNetWorld) {
    await this.verify(onlyWireguardSeenBetweenNodes(this.cluster, lastCapture(this)));
  },
);

Then('every UDP payload of the capture is a WireGuard message, data among them, with no HTTP text', async function (this: PodNetWorld) {
  await this.verify(wireguardMessages(lastCapture(this)));
});

Then('the capture shows no packet between the two pods', function (this: PodNetWorld) {
  return this.verify(nothingBetweenOnLink(lastCapture(this)));
});

Then(
  "within {int} seconds every node has wireguard.cali UP, with eth0's MTU less {int} bytes",
  function (this: PodNetWorld, seconds: number, overhead: number) {
    if (overhead !== 60) throw new Error("Calico's WireGuard overhead over IPv4 is 60 bytes");
    return this.verify(
      eventually(() => deviceUpWithMtu(this.cluster), {
        withinMs: seconds * 1000,
        everyMs: 250,
        settlesWithinMs: this.cluster.settlesWithinMs,
      }),
    );
  },
);

Then('every node lists wireguard.cali as a kernel WireGuard device', function (this: PodNetWorld) {
  return this.verify(kernelWireguardDevice(this.cluster));
});

Then(
  "on every node WireGuard listens on port 51820 with a fwmark and its Calico Node's key, one peer per other node at its InternalIP, and the node of {pod} has shaken hands with the node of {pod}",
  function (this: PodNetWorld, client: PodInfo, backend: PodInfo) {
    return this.verify(peersAsPublished(this.cluster, client, backend));
  },
);

Then("every peer's allowed IPs are exactly its node's blocks and its tunnel addresses", function (this: PodNetWorld) {
  return this.verify(allowedIpsAreRoutes(this.cluster));
});

Then("every node's wireguard.cali holds one \\/32 from its own block, the address its Calico Node records", function (this: PodNetWorld) {
  return this.verify(interfaceAddressOfNode(this.cluster));
});

Then("every node sends unmarked traffic through a table of the other nodes' blocks on wireguard.cali", function (this: PodNetWorld) {
  return this.verify(policyRouting(this.cluster));
});

Then(
  'while {pod} sends its requests to {pod}, the transfer counters of its node for the node of {pod} grow',
  async function (this: PodNetWorld, client: PodInfo, _backend: PodInfo, peer: PodInfo) {
    const seen = await transferAroundRound(this.cluster, client, peer.node, clientRoundOf(this.topology));
    await this.verify(transferGrew(seen));
  },
);
