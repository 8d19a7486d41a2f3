/**
 * Lesson 13: WireGuard between the nodes. Everything is read as the learner reads it: `wg show`,
 * `ip link`, `ip addr`, `ip rule`, `ip route show table <T>`, tcpdump on the node link, curl in
 * the pods, and the Calico Node and FelixConfiguration resources.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { BlockAffinity, ExecResult, NodeInfo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { VXLAN_DEVICE, WIREGUARD_DEVICE, WIREGUARD_PORT } from '../net/calico.ts';
import { cidrContains } from '../net/cidr.ts';
import { rawCaptureDuring } from '../probes/capture.ts';
import { interfaceNamed, interfaces } from '../probes/interfaces.ts';
import type { Observation } from '../probes/observation.ts';
import { hexBytes, parseTcpdumpDump, type DumpedPacket } from '../parse/tcpdump-ascii.ts';
import type { WgInterface } from '../parse/wg.ts';
import { ipRules, routesOfTable, routesThroughDevice, wgShow, wgTransfer, wireguardLinks } from '../probes/wireguard.ts';
import { describePod, nodeTarget } from '../subjects.ts';
import { interfacesOfNodes } from './node-interfaces.ts';

/** WireGuard's overhead over IPv4, as Calico counts it: the device's MTU is eth0's less this. */
export const WIREGUARD_IPV4_OVERHEAD = 60;
/** The README's grep over `tcpdump -A`. */
export const SECRETS = /password|secret|Bearer|API-Key|aws_|stripe_/;

// ---- the workloads ------------------------------------------------------------------------

/**
 * One round of the frontend-client's loop, from its manifest's `sh -c` script: the lines
 * between `while true; do` and `done`, without the sleeps.
 */
export function clientRound(script: string): string {
  const start = script.indexOf('while true; do');
  const end = script.lastIndexOf('done');
  if (start < 0 || end < start) throw new Error('the frontend-client script has no `while true; do … done` loop');
  const body = script
    .slice(start + 'while true; do'.length, end)
    .split('\n')
    .filter((line) => !/^\s*sleep \d+\s*$/.test(line))
    .join('\n')
    .trim();
  if (!body.includes('curl')) throw new Error('the frontend-client loop sends no curl request');
  return body;
}

/** The `sh -c` script of the frontend-client Pod manifest. */
export function clientScriptOf(manifestFile: string): string {
  const doc = parseDocument(readFileSync(manifestFile, 'utf8')).toJS() as { spec?: { containers?: { command?: string[] }[] } };
  const command = doc.spec?.containers?.[0]?.command ?? [];
  const script = command[command.length - 1];
  if (command[1] !== '-c' || typeof script !== 'string') throw new Error(`${manifestFile}: the frontend-client is not a \`sh -c\` script`);
  return script;
}

export function podsOnDifferentNodes(a: PodInfo, b: PodInfo): Verdict {
  const running = a.phase === 'Running' && b.phase === 'Running';
  return verdict(
    running && a.node !== b.node,
    `${describePod(a)} and ${describePod(b)} Running on two different nodes`,
    `${a.name} ${a.phase} on ${a.node}, ${b.name} ${b.phase} on ${b.node}`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** L13-02: /api/health says healthy; /api/users lists users, each with a password. */
export function healthyAndUsers(health: Observation<string>, users: Observation<string>): Verdict {
  const healthDoc = parseJson(health.value) as { status?: unknown } | undefined;
  const usersDoc = parseJson(users.value) as { users?: { password?: unknown }[] } | undefined;
  const list = Array.isArray(usersDoc?.users) ? usersDoc.users : [];
  const ok = healthDoc?.status === 'healthy' && list.length > 0 && list.every((user) => typeof user.password === 'string');
  return verdict(
    ok,
    '/api/health to answer JSON with "status": "healthy" and /api/users to list users, each with a "password"',
    `health ${JSON.stringify(healthDoc?.status ?? health.value.slice(0, 80))}, users ${list.length} (${list.filter((user) => typeof user.password === 'string').length} with a password)`,
    [...health.evidence, ...users.evidence],
  );
}

// ---- before: no WireGuard ------------------------------------------------------------------

/** Every key of an object, nested ones too, with its path. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [
    `${prefix}${key}`,
    ...keyPaths(inner, `${prefix}${key}.`),
  ]);
}

/** L13-03, L13-05: what `kubectl get felixconfiguration default -o yaml | grep -i wireguard` prints. */
export async function wireguardFields(cluster: Cluster): Promise<{ fields: Record<string, unknown>; spec: Record<string, unknown> }> {
  const spec = await cluster.felixConfiguration();
  const fields: Record<string, unknown> = {};
  for (const path of keyPaths(spec).filter((key) => /wireguard/i.test(key))) {
    fields[path] = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], spec);
  }
  return { fields, spec };
}

export async function noWireguardField(cluster: Cluster): Promise<Verdict> {
  const { fields, spec } = await wireguardFields(cluster);
  const names = Object.entries(fields).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return verdict(
    names.length === 0,
    'FelixConfiguration default to hold no WireGuard field',
    list(names),
    [],
    [listing('felixconfiguration-default', spec)],
  );
}

export async function wireguardEnabledField(cluster: Cluster): Promise<Verdict> {
  const { fields, spec } = await wireguardFields(cluster);
  return verdict(
    fields.wireguardEnabled === true,
    'FelixConfiguration default to hold wireguardEnabled: true',
    list(Object.entries(fields).map(([key, value]) => `${key}: ${JSON.stringify(value)}`)),
    [],
    [listing('felixconfiguration-default', spec)],
  );
}

/** L13-03, L13-16: no node has wireguard.cali, a rule matching a mark, or a route through wireguard.cali in any table. */
export async function noWireguardAnywhere(cluster: Cluster, withRoutes: boolean): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const evidence: ExecResult[] = [];
  const found: string[] = [];
  for (const node of nodes) {
    const [links, rules] = await Promise.all([interfaces(cluster, nodeTarget(node.name)), ipRules(cluster, node.name)]);
    evidence.push(...links.evidence, ...rules.evidence);
    if (interfaceNamed(links.value, WIREGUARD_DEVICE)) found.push(`${node.name}: interface ${WIREGUARD_DEVICE}`);
    for (const rule of rules.value.filter((candidate) => candidate.fwmark !== undefined)) found.push(`${node.name}: rule "${rule.text}"`);
    if (withRoutes) {
      const through = await routesThroughDevice(cluster, node.name, WIREGUARD_DEVICE);
      evidence.push(...through.evidence);
      for (const line of through.value) found.push(`${node.name}: route "${line}"`);
    }
  }
  return verdict(
    found.length === 0 && nodes.length > 0,
    `no node to have ${WIREGUARD_DEVICE}, an ip rule matching a firewall mark${withRoutes ? ` or a route through ${WIREGUARD_DEVICE}` : ''}`,
    list(found),
    evidence,
  );
}

// ---- captures on the node link -------------------------------------------------------------

export interface LinkCapture {
  node: string;
  client: PodInfo;
  backend: PodInfo;
  packets: DumpedPacket[];
  /** What tcpdump printed, for the secrets grep. */
  text: string;
  /** Whether the request made during the capture was answered, where the step checks it. */
  answered?: boolean;
}

/** Captures the node's eth0 (all of it, or `filter`) while `action` runs, read back with `readOptions`. */
export async function captureNodeLink(
  cluster: Cluster,
  node: string,
  filter: string[],
  readOptions: string[],
  action: () => Promise<Observation<unknown>>,
): Promise<Observation<{ packets: DumpedPacket[]; text: string }>> {
  const seen = await rawCaptureDuring(cluster, nodeTarget(node), 'eth0', filter, readOptions, `eth0 of ${node}`, action);
  return { ...seen, value: { packets: parseTcpdumpDump(seen.value.text), text: seen.value.text } };
}

function between(packet: DumpedPacket, a: string, b: string): boolean {
  return (packet.src === a && packet.dst === b) || (packet.src === b && packet.dst === a);
}

function secretsIn(text: string): string[] {
  return [
    ...new Set(
      text
        .split('\n')
        .filter((line) => SECRETS.test(line))
        .map((line) => line.trim().slice(0, 100)),
    ),
  ];
}

/** L13-04, L13-16: the pods' TCP on 8080 crosses eth0 in clear, carrying the client's headers and the backend's secrets; no VXLAN. */
export function plaintextSeen(capture: LinkCapture, port: number): Verdict {
  const client = capture.client.ip as string;
  const backend = capture.backend.ip as string;
  const tcp = capture.packets.filter(
    (packet) => packet.protocol === 'tcp' && between(packet, client, backend) && (packet.srcPort === port || packet.dstPort === port),
  );
  const vxlan = capture.packets.filter((packet) => packet.protocol === 'udp' && (packet.srcPort === 4789 || packet.dstPort === 4789));
  const wanted = [
    'Authorization: Bearer eyJ',
    'X-API-Key: test_fake_api_key_for_demo_only',
    'Cookie: session=',
    '"password": "SuperSecret123!"',
    '"aws_secret_key"',
    '"stripe_api_key"',
  ];
  const missing = wanted.filter((text) => !capture.text.includes(text));
  return verdict(
    tcp.length > 0 && missing.length === 0 && vxlan.length === 0 && secretsIn(capture.text).length > 0,
    `eth0 of ${capture.node} to carry TCP between ${client} and ${backend} on port ${port} in clear, with ${wanted.join(', ')}, and no UDP 4789`,
    `${tcp.length} TCP segments between the pods; missing ${list(missing)}; ${vxlan.length} VXLAN packets; the grep matched ${secretsIn(capture.text).length} lines`,
  );
}

/** `onlyWireguardSeen`, with the captured pods' nodes as the cluster lists them now. */
export async function onlyWireguardSeenBetweenNodes(cluster: Cluster, capture: LinkCapture): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const clientNode = nodes.find((node) => node.name === capture.client.node);
  const backendNode = nodes.find((node) => node.name === capture.backend.node);
  if (!clientNode || !backendNode) throw new Error('the captured pods run on nodes the cluster no longer lists');
  return onlyWireguardSeen(capture, clientNode, backendNode);
}

/** L13-12: no secret, no TCP between the pods; UDP 51820 both ways between the nodes' InternalIPs. */
export function onlyWireguardSeen(capture: LinkCapture, clientNode: NodeInfo, backendNode: NodeInfo): Verdict {
  const client = capture.client.ip as string;
  const backend = capture.backend.ip as string;
  const secrets = secretsIn(capture.text);
  const tcp = capture.packets.filter((packet) => packet.protocol === 'tcp' && between(packet, client, backend));
  const wg = (src: string, dst: string) =>
    capture.packets.filter(
      (packet) =>
        packet.protocol === 'udp' &&
        packet.src === src &&
        packet.dst === dst &&
        packet.srcPort === WIREGUARD_PORT &&
        packet.dstPort === WIREGUARD_PORT,
    ).length;
  const out = wg(clientNode.internalIP, backendNode.internalIP);
  const back = wg(backendNode.internalIP, clientNode.internalIP);
  return verdict(
    secrets.length === 0 && tcp.length === 0 && out > 0 && back > 0,
    `eth0 of ${capture.node} to show none of the secrets, no TCP between ${client} and ${backend}, and UDP ${clientNode.internalIP}.${WIREGUARD_PORT} <> ${backendNode.internalIP}.${WIREGUARD_PORT} both ways`,
    `${secrets.length} lines matching the grep (${list(secrets.slice(0, 3))}); ${tcp.length} TCP segments between the pods; UDP ${WIREGUARD_PORT} ${out} out, ${back} back`,
  );
}

/** L13-13: every UDP 51820 payload starts with a message type 1-4 and three zero bytes, data (4) among them, and no HTTP text. */
export function wireguardMessages(capture: LinkCapture): Verdict {
  const udp = capture.packets.filter(
    (packet) => packet.protocol === 'udp' && (packet.srcPort === WIREGUARD_PORT || packet.dstPort === WIREGUARD_PORT),
  );
  const types: number[] = [];
  const wrong: string[] = [];
  let http = 0;
  for (const packet of udp) {
    const bytes = hexBytes(packet);
    const ipHeader = ((bytes[0] ?? 0) & 0x0f) * 4;
    const payload = bytes.subarray(ipHeader + 8);
    const type = payload.readUInt32BE(0);
    // udp[8:4] read big-endian: the type byte first, then three reserved zero bytes.
    const messageType = type >>> 24;
    if (payload.length < 4 || (type & 0x00ffffff) !== 0 || messageType < 1 || messageType > 4)
      wrong.push(`${packet.summary}: ${payload.subarray(0, 4).toString('hex')}`);
    else types.push(messageType);
    if (/HTTP\/1\.|GET \/api/.test(payload.toString('latin1'))) http++;
  }
  return verdict(
    udp.length > 0 && wrong.length === 0 && types.includes(4) && http === 0,
    `every UDP ${WIREGUARD_PORT} payload on eth0 of ${capture.node} to start with a WireGuard message type 1-4 and three zero bytes, data (type 4) among them, and no HTTP text`,
    `${udp.length} packets, types ${list([...new Set(types)].sort())}, ${wrong.length} not WireGuard (${list(wrong.slice(0, 3))}), ${http} with HTTP text`,
  );
}

/** L13-15: no packet between two pods of the same node crosses eth0. */
export function nothingBetweenOnLink(capture: LinkCapture): Verdict {
  const a = capture.client.ip as string;
  const b = capture.backend.ip as string;
  const seen = capture.packets.filter((packet) => between(packet, a, b));
  return verdict(
    seen.length === 0 && capture.answered !== false,
    `an answered request and no packet between ${describePod(capture.client)} and ${describePod(capture.backend)} on eth0 of ${capture.node}`,
    `${capture.answered === false ? 'no answer; ' : ''}${seen.length === 0 ? 'no packet' : list(seen.slice(0, 3).map((packet) => packet.summary))}`,
  );
}

// ---- the device, its peers, the routing ----------------------------------------------------

/** L13-06: every node has wireguard.cali, UP, with eth0's MTU less 60. */
export async function deviceUpWithMtu(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const { seen, evidence } = await interfacesOfNodes(cluster, nodes);
  const rows: string[] = [];
  let ok = nodes.length > 0;
  for (const { node, links } of seen) {
    const device = interfaceNamed(links, WIREGUARD_DEVICE);
    const eth0 = interfaceNamed(links, 'eth0');
    const want = eth0 ? eth0.mtu - WIREGUARD_IPV4_OVERHEAD : undefined;
    const good = device !== undefined && device.up && device.flags.includes('LOWER_UP') && device.mtu === want;
    ok &&= good;
    rows.push(
      device ? `${node.name}: ${device.flags.join(',')} mtu ${device.mtu} (eth0 ${eth0?.mtu})` : `${node.name}: no ${WIREGUARD_DEVICE}`,
    );
  }
  return verdict(ok, `every node to have ${WIREGUARD_DEVICE} UP with eth0's MTU less ${WIREGUARD_IPV4_OVERHEAD}`, list(rows), evidence);
}

/** L13-07 (live only): `ip -d link show type wireguard` lists wireguard.cali as a kernel WireGuard device. */
export async function kernelWireguardDevice(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  for (const node of nodes) {
    const seen = await wireguardLinks(cluster, node.name);
    evidence.push(...seen.evidence);
    const line = seen.value.split('\n').find((candidate) => candidate.includes(`${WIREGUARD_DEVICE}:`));
    const eth0 = interfaceNamed((await interfaces(cluster, nodeTarget(node.name))).value, 'eth0')?.mtu ?? 1500;
    const good =
      line !== undefined &&
      line.includes('<POINTOPOINT,NOARP,UP,LOWER_UP>') &&
      line.includes(`mtu ${eth0 - WIREGUARD_IPV4_OVERHEAD} `) &&
      seen.value.includes('link/none');
    if (!good) wrong.push(`${node.name}: ${line?.trim() ?? 'not listed'}`);
  }
  return verdict(
    wrong.length === 0 && nodes.length > 0,
    `\`ip link show type wireguard\` on every node to list ${WIREGUARD_DEVICE} <POINTOPOINT,NOARP,UP,LOWER_UP>, eth0's MTU less 60, link/none`,
    list(wrong),
    evidence,
  );
}

interface NodeWg {
  node: NodeInfo;
  wg: WgInterface | undefined;
}

async function everyWg(cluster: Cluster): Promise<{ nodes: NodeWg[]; evidence: ExecResult[] }> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(nodes.map((node) => wgShow(cluster, node.name)));
  return { nodes: nodes.map((node, index) => ({ node, wg: seen[index]?.value })), evidence: seen.flatMap((one) => one.evidence) };
}

function nodeOfKey(nodes: NodeInfo[], key: string): NodeInfo | undefined {
  return nodes.find((node) => node.calico?.wireguardPublicKey === key);
}

/** L13-08: port 51820, a fwmark, one peer per other node at <its InternalIP>:51820, keys as the Calico Nodes publish them; a handshake between the client's and the backend's nodes. */
export async function peersAsPublished(cluster: Cluster, client: PodInfo, backend: PodInfo): Promise<Verdict> {
  const { nodes, evidence } = await everyWg(cluster);
  const all = nodes.map((entry) => entry.node);
  const wrong: string[] = [];
  for (const { node, wg } of nodes) {
    if (!wg) {
      wrong.push(`${node.name}: no ${WIREGUARD_DEVICE}`);
      continue;
    }
    if (wg.listeningPort !== WIREGUARD_PORT) wrong.push(`${node.name}: listening port ${wg.listeningPort}`);
    if (wg.fwmark === undefined) wrong.push(`${node.name}: no fwmark`);
    if (!node.calico?.wireguardPublicKey || wg.publicKey !== node.calico.wireguardPublicKey)
      wrong.push(`${node.name}: public key ${wg.publicKey}, its Calico Node publishes ${node.calico?.wireguardPublicKey ?? 'none'}`);
    const others = all.filter((other) => other.name !== node.name);
    if (wg.peers.length !== others.length) wrong.push(`${node.name}: ${wg.peers.length} peers for ${others.length} other nodes`);
    for (const other of others) {
      const peer = wg.peers.find((candidate) => candidate.publicKey === other.calico?.wireguardPublicKey);
      if (!peer) wrong.push(`${node.name}: no peer with ${other.name}'s key ${other.calico?.wireguardPublicKey ?? '(none published)'}`);
      else if (peer.endpoint !== `${other.internalIP}:${WIREGUARD_PORT}`)
        wrong.push(`${node.name}: peer ${other.name} at ${peer.endpoint}`);
    }
  }
  const clientWg = nodes.find((entry) => entry.node.name === client.node)?.wg;
  const backendKey = all.find((node) => node.name === backend.node)?.calico?.wireguardPublicKey;
  const handshake = clientWg?.peers.find((peer) => peer.publicKey === backendKey)?.latestHandshakeSecondsAgo;
  if (handshake === undefined) wrong.push(`${client.node}: no handshake with ${backend.node} after the client's requests`);
  return verdict(
    wrong.length === 0 && nodes.length > 1,
    `on every node ${WIREGUARD_DEVICE} listening on ${WIREGUARD_PORT} with a fwmark, the key its Calico Node publishes, one peer per other node at <InternalIP>:${WIREGUARD_PORT} with that node's key, and a handshake from ${client.node} to ${backend.node}`,
    wrong.length ? list(wrong) : `as expected; handshake ${handshake} s ago`,
    evidence,
    [listing('nodes', all)],
  );
}

function ownBlocks(affinities: BlockAffinity[], node: string): string[] {
  return affinities
    .filter((affinity) => affinity.node === node && affinity.state === 'confirmed' && affinity.type !== 'virtual')
    .map((affinity) => affinity.cidr);
}

/** L13-09: each peer's allowed IPs are exactly its node's blocks and its tunnel addresses as /32s. */
export async function allowedIpsAreRoutes(cluster: Cluster): Promise<Verdict> {
  const [{ nodes, evidence }, affinities] = await Promise.all([everyWg(cluster), cluster.blockAffinities()]);
  const all = nodes.map((entry) => entry.node);
  const tunnels = new Map<string, string[]>();
  for (const node of all) {
    const seen = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...seen.evidence);
    tunnels.set(
      node.name,
      [WIREGUARD_DEVICE, VXLAN_DEVICE].flatMap((name) =>
        (interfaceNamed(seen.value, name)?.addresses ?? [])
          .filter((address) => address.family === 'inet')
          .map((address) => `${address.local}/32`),
      ),
    );
  }
  const wrong: string[] = [];
  for (const { node, wg } of nodes) {
    for (const peer of wg?.peers ?? []) {
      const owner = nodeOfKey(all, peer.publicKey);
      if (!owner) {
        wrong.push(`${node.name}: peer ${peer.publicKey} is no node's`);
        continue;
      }
      const want = [...ownBlocks(affinities, owner.name), ...(tunnels.get(owner.name) ?? [])].sort();
      const got = [...peer.allowedIps].sort();
      if (want.join(',') !== got.join(','))
        wrong.push(`${node.name}: peer ${owner.name} allows ${list(got)}, its node holds ${list(want)}`);
      const internal = all.filter((candidate) => got.includes(`${candidate.internalIP}/32`));
      if (internal.length)
        wrong.push(`${node.name}: peer ${owner.name} allows InternalIP ${list(internal.map((candidate) => candidate.internalIP))}`);
    }
    if (!wg) wrong.push(`${node.name}: no ${WIREGUARD_DEVICE}`);
  }
  return verdict(
    wrong.length === 0 && nodes.length > 1,
    "every peer's allowed IPs to be exactly its node's blocks and its tunnel addresses as /32",
    list(wrong),
    evidence,
    [listing('blockaffinities', affinities)],
  );
}

/** L13-10: wireguard.cali holds one /32 scope global from a block of its node, the Calico Node's interfaceIPv4Address. */
export async function interfaceAddressOfNode(cluster: Cluster): Promise<Verdict> {
  const [nodes, affinities] = await Promise.all([cluster.nodes(), cluster.blockAffinities()]);
  const evidence: ExecResult[] = [];
  const rows: string[] = [];
  let ok = nodes.length > 0;
  for (const node of nodes) {
    const seen = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...seen.evidence);
    const v4 = (interfaceNamed(seen.value, WIREGUARD_DEVICE)?.addresses ?? []).filter((address) => address.family === 'inet');
    const [only] = v4;
    const recorded = node.calico?.wireguardInterfaceIPv4Address;
    const good =
      v4.length === 1 &&
      only !== undefined &&
      only.prefixLen === 32 &&
      only.scope === 'global' &&
      ownBlocks(affinities, node.name).some((block) => cidrContains(block, only.local)) &&
      only.local === recorded;
    ok &&= good;
    rows.push(
      `${node.name}: ${list(v4.map((address) => `${address.local}/${address.prefixLen} scope ${address.scope}`))}, recorded ${recorded ?? 'none'}`,
    );
  }
  return verdict(
    ok,
    `${WIREGUARD_DEVICE} on every node to hold one /32 scope global from its own block, the Calico Node's spec.wireguard.interfaceIPv4Address`,
    list(rows),
    evidence,
    [listing('blockaffinities', affinities)],
  );
}

/** L13-11: `99: not from all fwmark M/M lookup T` with M from wg; table T routes every other node's block via wireguard.cali, not the node's own. */
export async function policyRouting(cluster: Cluster): Promise<Verdict> {
  const [{ nodes, evidence }, affinities] = await Promise.all([everyWg(cluster), cluster.blockAffinities()]);
  const wrong: string[] = [];
  for (const { node, wg } of nodes) {
    if (wg?.fwmark === undefined) {
      wrong.push(`${node.name}: wg shows no fwmark`);
      continue;
    }
    const mark = `0x${wg.fwmark.toString(16)}`;
    const rules = await ipRules(cluster, node.name);
    evidence.push(...rules.evidence);
    const rule = rules.value.find(
      (candidate) => candidate.priority === 99 && candidate.not && candidate.from === 'all' && candidate.fwmark === `${mark}/${mark}`,
    );
    if (!rule) {
      wrong.push(`${node.name}: no rule "99: not from all fwmark ${mark}/${mark} lookup <T>"`);
      continue;
    }
    const table = await routesOfTable(cluster, node.name, rule.table);
    evidence.push(...table.evidence);
    const via = (block: string) =>
      table.value.some(
        (route) => route.prefix === block && route.dev === WIREGUARD_DEVICE && route.scope === 'link' && route.type === 'unicast',
      );
    const others = nodes.filter((other) => other.node.name !== node.name).flatMap((other) => ownBlocks(affinities, other.node.name));
    const missing = others.filter((block) => !via(block));
    const own = ownBlocks(affinities, node.name).filter((block) => table.value.some((route) => route.prefix === block));
    if (missing.length) wrong.push(`${node.name}: table ${rule.table} lacks ${list(missing)}`);
    if (own.length) wrong.push(`${node.name}: table ${rule.table} routes its own ${list(own)}`);
  }
  return verdict(
    wrong.length === 0 && nodes.length > 1,
    `on every node the rule "99: not from all fwmark <M>/<M> lookup <T>" with wg's fwmark, and table <T> routing every other node's block dev ${WIREGUARD_DEVICE} scope link, none of its own`,
    list(wrong),
    evidence,
    [listing('blockaffinities', affinities)],
  );
}

/** `wg show wireguard.cali transfer` on a node: the bytes exchanged with the peer of `peerNode`. */
export async function transferWith(
  cluster: Cluster,
  node: string,
  peerNode: string,
): Promise<Observation<{ rx: number; tx: number } | undefined>> {
  const nodes = await cluster.nodes();
  const key = nodes.find((candidate) => candidate.name === peerNode)?.calico?.wireguardPublicKey;
  const transfer = await wgTransfer(cluster, node);
  const peer = transfer.value?.find((candidate) => candidate.publicKey === key);
  return { value: peer ? { rx: peer.rxBytes, tx: peer.txBytes } : undefined, evidence: transfer.evidence };
}

/** What the counters of the peer `peerNode` on the client's node read before and after one round of the client's requests. */
export interface TransferSeen {
  node: string;
  peerNode: string;
  before: { rx: number; tx: number } | undefined;
  after: { rx: number; tx: number } | undefined;
  evidence: ExecResult[];
}

/** L13-14: the counters of the backend node's peer on the client's node grew both ways. */
export function transferGrew({ node, peerNode, before, after, evidence }: TransferSeen): Verdict {
  return verdict(
    before !== undefined && after !== undefined && after.rx > before.rx && after.tx > before.tx,
    `on ${node} the received and sent bytes of the peer ${peerNode} to grow while the client's requests run`,
    `${before ? `${before.rx}/${before.tx}` : 'no such peer'} before, ${after ? `${after.rx}/${after.tx}` : 'no such peer'} after (received/sent)`,
    evidence,
  );
}
