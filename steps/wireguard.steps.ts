/** Lesson 13: WireGuard between the nodes, turned on and off in the FelixConfiguration. */
import { AfterAll, Given, Then, When } from '@cucumber/cucumber';
import { join } from 'node:path';
import type { PodInfo } from '../support/domain.ts';
import type { Cluster } from '../support/cluster/cluster.ts';
import { eventually } from '../support/eventually.ts';
import {
  allowedIpsAreRoutes,
  captureNodeLink,
  clientRound,
  clientScriptOf,
  deviceUpWithMtu,
  fetchPath,
  healthyAndUsers,
  interfaceAddressOfNode,
  kernelWireguardDevice,
  noWireguardAnywhere,
  noWireguardField,
  nothingBetweenOnLink,
  onlyWireguardSeen,
  peersAsPublished,
  plaintextSeen,
  podsOnDifferentNodes,
  policyRouting,
  sendClientRound,
  transferGrew,
  transferWith,
  wireguardEnabledField,
  wireguardFields,
  wireguardMessages,
  type LinkCapture,
} from '../support/claims/wireguard.ts';
import { topologyDir } from '../support/topology/catalogue.ts';
import type { PodNetWorld } from '../support/world.ts';

/** The course's frontend-client manifest: its loop is what the client sends. */
const CLIENT_MANIFEST = join('workloads', 'frontend-client.yaml');
const WIREGUARD_CHANGE = { timeout: 120_000 };

declare module '../support/seen.ts' {
  interface Seen {
    /** A capture on a node's link around the course's client round or a direct fetch, with the pods it was about. */
    linkCapture: LinkCapture;
  }
}

const lastCapture = (world: PodNetWorld): LinkCapture => world.seen('linkCapture', "a When step that captures a node's link");

/**
 * WireGuard stays as the scenarios leave it while the feature runs (turning it on and off is
 * the lesson's dearest step); the FelixConfiguration is put back as the run found it at the end.
 */
const foundEnabled = new Map<Cluster, unknown>();

async function patchWireguard(cluster: Cluster, value: boolean | null): Promise<void> {
  if (!foundEnabled.has(cluster)) foundEnabled.set(cluster, (await cluster.felixConfiguration()).wireguardEnabled ?? null);
  await cluster.patchFelixConfiguration({ wireguardEnabled: value });
}

AfterAll({ timeout: 120_000 }, async function () {
  for (const [cluster, value] of foundEnabled) await cluster.patchFelixConfiguration({ wireguardEnabled: value });
  foundEnabled.clear();
});

function round(world: PodNetWorld): string {
  return clientRound(clientScriptOf(join(topologyDir(world.topology), CLIENT_MANIFEST)));
}

async function captureRound(world: PodNetWorld, client: PodInfo, backend: PodInfo, on: string, filter: string[], read: string[]) {
  const body = round(world);
  const seen = await captureNodeLink(world.cluster, on, filter, read, () => sendClientRound(world.cluster, client, body));
  world.record(seen.evidence);
  world.attachFiles(seen.files);
  world.saw('linkCapture', { node: on, client, backend, ...seen.value });
}

Given('WireGuard was never enabled in the FelixConfiguration', WIREGUARD_CHANGE, async function (this: PodNetWorld) {
  if ('wireguardEnabled' in (await wireguardFields(this.cluster)).fields) await patchWireguard(this.cluster, null);
});

Given('WireGuard is enabled in the FelixConfiguration', WIREGUARD_CHANGE, async function (this: PodNetWorld) {
  if ((await wireguardFields(this.cluster)).fields.wireguardEnabled !== true) await patchWireguard(this.cluster, true);
});

When('the FelixConfiguration is patched with wireguardEnabled {word}', WIREGUARD_CHANGE, async function (this: PodNetWorld, value: string) {
  if (value !== 'true' && value !== 'false') throw new Error(`wireguardEnabled is true or false, not "${value}"`);
  await patchWireguard(this.cluster, value === 'true');
});

Then('{pod} and {pod} are Running on two different nodes', function (this: PodNetWorld, a: PodInfo, b: PodInfo) {
  return this.verify(podsOnDifferentNodes(a, b));
});

Then(
  'from {pod}, {string} answers \\/api\\/health as healthy and \\/api\\/users with the users and their passwords',
  async function (this: PodNetWorld, from: PodInfo, base: string) {
    const health = await fetchPath(this.cluster, from, `${base}/api/health`);
    const users = await fetchPath(this.cluster, from, `${base}/api/users`);
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
  this.record((await sendClientRound(this.cluster, client, round(this))).evidence);
});

When(
  '{pod} sends its requests to {pod} while the eth0 of the node of {pod} is captured',
  async function (this: PodNetWorld, client: PodInfo, backend: PodInfo, on: PodInfo) {
    await captureRound(this, client, backend, on.node, [], ['-A']);
  },
);

When(
  '{pod} sends its requests to {pod} while the WireGuard packets on the eth0 of the node of {pod} are captured',
  async function (this: PodNetWorld, client: PodInfo, backend: PodInfo, on: PodInfo) {
    await captureRound(this, client, backend, on.node, ['udp', 'port', '51820'], ['-x']);
  },
);

When(
  '{pod} fetches from {pod} directly while the eth0 of their node is captured',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo) {
    if (from.node !== to.node) throw new Error(`"${from.name}" and "${to.name}" are on different nodes; this step is about one node`);
    let answer = '';
    const seen = await captureNodeLink(this.cluster, to.node, [], ['-A'], async () => {
      const fetched = await fetchPath(this.cluster, from, `http://${to.ip}:8080/api/health`);
      answer = fetched.value;
      return fetched;
    });
    this.record(seen.evidence);
    this.attachFiles(seen.files);
    this.saw('linkCapture', { node: to.node, client: from, backend: to, answered: answer !== '', ...seen.value });
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
    const capture = lastCapture(this);
    const nodes = await this.cluster.nodes();
    const clientNode = nodes.find((node) => node.name === capture.client.node);
    const backendNode = nodes.find((node) => node.name === capture.backend.node);
    if (!clientNode || !backendNode) throw new Error('the captured pods run on nodes the cluster no longer lists');
    await this.verify(onlyWireguardSeen(capture, clientNode, backendNode));
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
    const before = this.observe(await transferWith(this.cluster, client.node, peer.node));
    const sent = await sendClientRound(this.cluster, client, round(this));
    this.record(sent.evidence);
    const after = await transferWith(this.cluster, client.node, peer.node);
    await this.verify(transferGrew(client.node, peer.node, before, after.value, after.evidence));
  },
);
