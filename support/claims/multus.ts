/**
 * Lessons 21 and 22: a second network through Multus. Each node's eth2 on the router's VLAN
 * segment, the NetworkAttachmentDefinitions as the course writes them, and the pods' net1 read
 * as a learner reads it: `ip -d -j link` and `ip -j addr` in the pod and on its node, `ip route`,
 * captures on the node's eth2 and eth1, and the router's `bridge fdb` and `ip neigh`.
 */
import type { ExecResult, ExecTarget, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { nadFrom } from '../manifests.ts';
import { inRange, parseRange } from '../net/whereabouts-range.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { secondaryLink } from '../probes/secondary.ts';
import { bridgeFdb, neighbours } from '../probes/bridge.ts';
import { ceosPing, ceosShow, type CeosJson } from '../probes/ceos.ts';
import type { Observation } from '../probes/observation.ts';
import type { Packet } from '../parse/tcpdump.ts';
import type { PingResult } from '../parse/ping.ts';
import { ping } from '../probes/ping.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import type { LinkSpec } from '../lab/spec.ts';
import { podRoutesAreExactly } from './pod-interface.ts';

type Json = Record<string, unknown>;

/** L21-01, L22-01: on every node `dev` is UP with its carrier (LOWER_UP) and holds no IPv4 address. */
export async function upWithoutAddress(cluster: Cluster, dev: string): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({ node: node.name, ifaces: await interfaces(cluster, nodeTarget(node.name)) })),
  );
  const rows = seen.map(({ node, ifaces }) => {
    const iface = interfaceNamed(ifaces.value, dev);
    if (!iface) return { node, ok: false, text: `${node}: no ${dev}` };
    const addresses = ipv4Addresses(iface);
    const ok = iface.flags.includes('UP') && iface.flags.includes('LOWER_UP') && addresses.length === 0;
    return { node, ok, text: `${node}: <${iface.flags.join(',')}> ${addresses.length ? list(addresses) : 'no IPv4'}` };
  });
  return verdict(
    nodes.length > 0 && rows.every((row) => row.ok),
    `on every node ${dev} UP with LOWER_UP and no IPv4 address`,
    list(rows.map((row) => row.text)),
    seen.flatMap((row) => row.ifaces.evidence),
  );
}

/** The NAD as the cluster holds it, its configuration parsed; an error names what exists. */
export async function clusterNad(cluster: Cluster, name: string, namespace: string): Promise<{ config: Json; text: string }> {
  const nads = await cluster.networkAttachmentDefinitions(namespace);
  const nad = nads.find((candidate) => candidate.name === name);
  if (!nad)
    throw new Error(
      `no NetworkAttachmentDefinition ${name} in namespace ${namespace} (there: ${list(nads.map((each) => each.name))}); apply the lesson's NAD`,
    );
  try {
    return { config: JSON.parse(nad.config) as Json, text: nad.config };
  } catch (error) {
    throw new Error(`NetworkAttachmentDefinition ${name}: spec.config is not JSON (${(error as Error).message})`);
  }
}

/** What a NAD's IPAM hands out: its range, what it excludes, its gateway. */
export async function nadIpam(
  cluster: Cluster,
  name: string,
  namespace: string,
): Promise<{ range: string; exclude: string[]; gateway: string }> {
  const { config } = await clusterNad(cluster, name, namespace);
  const ipam = (config.ipam ?? {}) as Json;
  if (typeof ipam.range !== 'string' || typeof ipam.gateway !== 'string')
    throw new Error(`NetworkAttachmentDefinition ${name}: ipam has no range and gateway`);
  return { range: ipam.range, exclude: Array.isArray(ipam.exclude) ? ipam.exclude.map(String) : [], gateway: ipam.gateway };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as Json)
        .sort()
        .map((key) => [key, canonical((value as Json)[key])]),
    );
  return value;
}

/** L21-07, L22-02: the NAD exists with the configuration the course's manifest gives it (JSON compared, not text). */
export async function nadAsCourse(cluster: Cluster, name: string, namespace: string): Promise<Verdict> {
  const course = nadFrom(name);
  const nads = await cluster.networkAttachmentDefinitions(namespace);
  const nad = nads.find((candidate) => candidate.name === name);
  const expected = JSON.stringify(canonical(JSON.parse(course.config)));
  let observed = nad ? nad.config : `no NAD ${name} (there: ${list(nads.map((each) => each.name))})`;
  if (nad) {
    try {
      observed = JSON.stringify(canonical(JSON.parse(nad.config)));
    } catch {
      observed = `spec.config is not JSON: ${nad.config}`;
    }
  }
  return verdict(
    observed === expected,
    `NetworkAttachmentDefinition ${namespace}/${name} with the configuration ${expected}`,
    observed,
    [],
    [listing('network-attachment-definitions', nads)],
  );
}

/** A pod's secondary interface address: exactly one IPv4, with its prefix. */
export async function secondaryAddress(
  cluster: Cluster,
  pod: PodInfo,
  ifname: string,
): Promise<{ cidrs: string[]; evidence: ExecResult[] }> {
  const seen = await interfaces(cluster, podTarget(pod));
  const iface = interfaceNamed(seen.value, ifname);
  return { cidrs: iface ? ipv4Addresses(iface) : [], evidence: seen.evidence };
}

function addressProblems(cidrs: string[], ipam: { range: string; gateway: string }): string[] {
  const range = parseRange(ipam.range);
  if (cidrs.length !== 1) return [`${cidrs.length} IPv4 addresses (${list(cidrs)})`];
  const [ip, prefix] = (cidrs[0] as string).split('/') as [string, string];
  return [
    ...(Number(prefix) !== range.prefix ? [`prefix /${prefix}, not /${range.prefix}`] : []),
    ...(!inRange(range, ip) ? [`${ip} outside ${ipam.range}`] : []),
    ...(ip === ipam.gateway ? [`${ip} is the gateway`] : []),
  ];
}

/**
 * L21-08, L22-03/04: the pod's `ifname` is a `kind` link in `mode` whose parent is its node's
 * `parent` (`net1@ifN`, N the ifindex of the node's eth2), at the parent's MTU, with one address
 * of the NAD's range, never its gateway.
 */
export async function secondaryOnParent(
  cluster: Cluster,
  pod: PodInfo,
  ifname: string,
  kind: string,
  mode: string,
  parent: string,
  nad: string,
): Promise<Verdict> {
  const [link, onNode, address, ipam] = await Promise.all([
    secondaryLink(cluster, podTarget(pod), ifname),
    secondaryLink(cluster, nodeTarget(pod.node), parent).catch(() => undefined),
    secondaryAddress(cluster, pod, ifname),
    nadIpam(cluster, nad, pod.namespace),
  ]);
  const nodeLinks = await interfaces(cluster, nodeTarget(pod.node));
  const parentIface = interfaceNamed(nodeLinks.value, parent);
  const problems = [
    ...(link.value.kind !== kind || link.value.mode !== mode ? [`${link.value.kind} mode ${link.value.mode ?? 'none'}`] : []),
    ...(parentIface && link.value.parentIndex === parentIface.index
      ? []
      : [`parent @if${link.value.parentIndex ?? '?'}, the node's ${parent} is ${parentIface ? `if${parentIface.index}` : 'missing'}`]),
    ...(parentIface && link.value.mtu === parentIface.mtu ? [] : [`MTU ${link.value.mtu}, ${parent} ${parentIface?.mtu ?? '?'}`]),
    ...addressProblems(address.cidrs, ipam),
  ];
  return verdict(
    problems.length === 0,
    `${ifname} of ${describePod(pod)}: ${kind} mode ${mode} on its node's ${parent}, at its MTU, with one address of ${ipam.range}, not ${ipam.gateway}`,
    problems.length
      ? list(problems)
      : `${kind} mode ${mode} @if${link.value.parentIndex} (${parent}), MTU ${link.value.mtu}, ${list(address.cidrs)}`,
    [...link.evidence, ...(onNode?.evidence ?? []), ...nodeLinks.evidence, ...address.evidence],
  );
}

/** The pods of the namespace whose networks annotation names `nad`. */
export async function podsAttachedTo(cluster: Cluster, nad: string, namespace: string): Promise<PodInfo[]> {
  const pods = await cluster.pods({ namespace });
  return pods.filter((pod) =>
    (pod.annotations['k8s.v1.cni.cncf.io/networks'] ?? '')
      .split(',')
      .map((name) => name.trim())
      .includes(nad),
  );
}

/** L21-08: net1's MAC is its own: not its node's eth2 MAC, not any other attached pod's net1 MAC. */
export async function ownMac(cluster: Cluster, pod: PodInfo, ifname: string, parent: string, nad: string): Promise<Verdict> {
  const others = (await podsAttachedTo(cluster, nad, pod.namespace)).filter((other) => other.name !== pod.name);
  const [mine, node, ...theirs] = await Promise.all([
    secondaryLink(cluster, podTarget(pod), ifname),
    interfaces(cluster, nodeTarget(pod.node)),
    ...others.map((other) => secondaryLink(cluster, podTarget(other), ifname)),
  ]);
  const parentMac = interfaceNamed(node.value, parent)?.mac;
  const clashes = [
    ...(mine.value.mac === parentMac ? [`the node's ${parent}`] : []),
    ...theirs.flatMap((seen, index) => (seen.value.mac === mine.value.mac ? [`${ifname} of ${others[index]?.name}`] : [])),
  ];
  return verdict(
    clashes.length === 0,
    `${ifname} of ${describePod(pod)} with a MAC of its own, not ${parent}'s (${parentMac ?? '?'}) nor another pod's ${ifname}`,
    clashes.length
      ? `${mine.value.mac}, the same as ${list(clashes)}`
      : `${mine.value.mac}; others ${list(theirs.map((seen) => seen.value.mac))}`,
    [...mine.evidence, ...node.evidence, ...theirs.flatMap((seen) => seen.evidence)],
  );
}

/** The pods of the suite's namespace attached to any of the NetworkAttachmentDefinitions `nads`. */
export async function podsAttachedToAny(cluster: Cluster, nads: string[]): Promise<PodInfo[]> {
  return (await Promise.all(nads.map((nad) => podsAttachedTo(cluster, nad, cluster.workloadNamespace)))).flat();
}

/** No two of `pods` hold the same address on `ifname`, and each holds one. */
export async function secondaryAddressesDistinct(cluster: Cluster, pods: PodInfo[], ifname: string): Promise<Verdict> {
  const addresses = await Promise.all(pods.map((pod) => secondaryAddress(cluster, pod, ifname)));
  const all = addresses.map((seen) => seen.cidrs.join(' '));
  return verdict(
    new Set(all).size === all.length && all.every(Boolean),
    `the ${ifname} addresses of ${pods.map((pod) => pod.name).join(', ')} all different`,
    all.join(', '),
    addresses.flatMap((seen) => seen.evidence),
  );
}

/** L22-03/04/05: `ifname` of every given pod carries its node's `parent` MAC. */
export async function parentMacShared(cluster: Cluster, pods: PodInfo[], ifname: string, parent: string): Promise<Verdict> {
  const rows = await Promise.all(
    pods.map(async (pod) => {
      const [link, node] = await Promise.all([
        secondaryLink(cluster, podTarget(pod), ifname).catch(() => undefined),
        interfaces(cluster, nodeTarget(pod.node)),
      ]);
      const parentMac = interfaceNamed(node.value, parent)?.mac;
      return { pod, mac: link?.value.mac, parentMac, evidence: [...(link?.evidence ?? []), ...node.evidence] };
    }),
  );
  return verdict(
    rows.length > 0 && rows.every((row) => row.mac !== undefined && row.mac === row.parentMac),
    `${ifname} of ${list(pods.map((pod) => pod.name))} with its node's ${parent} MAC`,
    list(rows.map((row) => `${row.pod.name}: ${row.mac ?? 'no ' + ifname}, ${parent} ${row.parentMac ?? '?'}`)),
    rows.flatMap((row) => row.evidence),
  );
}

/** L21-09: the routing table, with `<net1 subnet>` and `<net1 IP>` read from the pod's net1. */
export async function routesWithSecondary(cluster: Cluster, pod: PodInfo, ifname: string, table: string[]): Promise<Verdict> {
  const address = await secondaryAddress(cluster, pod, ifname);
  if (address.cidrs.length !== 1)
    return verdict(false, `${ifname} of ${describePod(pod)} with one IPv4 address`, list(address.cidrs), address.evidence);
  const [ip, prefix] = (address.cidrs[0] as string).split('/') as [string, string];
  const range = parseRange(`${ip}/${prefix}`);
  const subnet = `${intToDotted(range.first - 1)}/${prefix}`;
  const expected = table.map((row) => row.replaceAll(`<${ifname} subnet>`, subnet).replaceAll(`<${ifname} IP>`, ip));
  const seen = await podRoutesAreExactly(cluster, pod, expected);
  return { ...seen, evidence: [...address.evidence, ...seen.evidence] };
}

function intToDotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** `distinctInRange` for the pods of a workload, in the suite's namespace. */
export async function workloadDistinctInRange(cluster: Cluster, workload: string, ifname: string, nad: string): Promise<Verdict> {
  return distinctInRange(cluster, await cluster.pods({ namespace: cluster.workloadNamespace, workload }), ifname, nad);
}

/** L21-13: every given pod's `ifname` holds one address of the NAD's range, and no two are the same. */
export async function distinctInRange(cluster: Cluster, pods: PodInfo[], ifname: string, nad: string): Promise<Verdict> {
  const namespace = pods[0]?.namespace ?? cluster.workloadNamespace;
  const ipam = await nadIpam(cluster, nad, namespace);
  const seen = await Promise.all(pods.map(async (pod) => ({ pod, address: await secondaryAddress(cluster, pod, ifname) })));
  const addresses = seen.map((row) => row.address.cidrs.join(' '));
  const duplicates = addresses.filter((address, index) => addresses.indexOf(address) !== index);
  const problems = [
    ...seen.flatMap((row) => addressProblems(row.address.cidrs, ipam).map((problem) => `${row.pod.name}: ${problem}`)),
    ...duplicates.map((address) => `${address} twice`),
  ];
  return verdict(
    pods.length > 0 && problems.length === 0,
    `each ${ifname} of ${list(pods.map((pod) => pod.name))} with one address of ${ipam.range}, all different`,
    problems.length ? list(problems) : list(seen.map((row) => `${row.pod.name} ${row.address.cidrs.join(' ')}`)),
    seen.flatMap((row) => row.address.evidence),
  );
}

/** A ping from a pod to an address on its secondary network, with what two captures on its node saw. */
export interface SecondaryPingSeen {
  from: PodInfo;
  /** What the ping went to, in words (the NAD's gateway, the net1 address of another pod). */
  toWhat: string;
  to: string;
  /** The source it should carry: the pod's net1 address. */
  source: string;
  count: number;
  ping: Observation<PingResult>;
  /** Interface name → the packets captured there. */
  captured: Record<string, Packet[]>;
}

/** Every echo request of the ping over the secondary network answered, each reply with TTL `ttl`. */
export function secondaryPingAnswered(seen: SecondaryPingSeen, ttl: number): Verdict {
  const replies = seen.ping.value.replies;
  const answered = new Set(replies.map((reply) => reply.seq)).size;
  return verdict(
    answered === seen.count && replies.every((reply) => reply.ttl === ttl),
    `each of ${seen.count} echo requests from ${seen.from.name} to ${seen.toWhat} ${seen.to} answered with TTL ${ttl}`,
    `${answered} answered, TTLs ${[...new Set(replies.map((reply) => reply.ttl))].join(', ') || 'none'}${seen.ping.value.errors.length ? `; ${seen.ping.value.errors.join('; ')}` : ''}`,
    seen.ping.evidence,
  );
}

/** No ICMP to or from the pinged address crossed the node's `interfaces` during the ping. */
export function noIcmpOn(seen: SecondaryPingSeen, interfaces: string[]): Verdict {
  const icmp = interfaces.map(
    (iface) =>
      `${iface}: ${(seen.captured[iface] ?? []).filter((packet) => packet.proto === 'ICMP' && [packet.src, packet.dst].includes(seen.to)).length}`,
  );
  return verdict(
    icmp.every((row) => row.endsWith(': 0')),
    `no ICMP to or from ${seen.to} on the node's ${interfaces.join(' or ')}`,
    icmp.join(', '),
  );
}

function echoes(packets: Packet[], from: string, to: string): Packet[] {
  return packets.filter(
    (packet) => packet.proto === 'ICMP' && packet.src === from && packet.dst === to && packet.icmpType === 'echo request',
  );
}

/**
 * L21-10, L21-14: the echo requests leave the node by `wire` from the net1 address, unchanged
 * (no NAT), and `not` carries none of the ICMP.
 */
export function onlyOnSecondary(seen: SecondaryPingSeen, wire: string, not: string): Verdict {
  const onWire = echoes(seen.captured[wire] ?? [], seen.source, seen.to);
  const foreign = (seen.captured[wire] ?? []).filter(
    (packet) => packet.proto === 'ICMP' && packet.icmpType === 'echo request' && packet.dst === seen.to && packet.src !== seen.source,
  );
  const elsewhere = (seen.captured[not] ?? []).filter(
    (packet) => packet.proto === 'ICMP' && [seen.source, seen.to].some((ip) => packet.src === ip || packet.dst === ip),
  );
  return verdict(
    onWire.length >= seen.count && foreign.length === 0 && elsewhere.length === 0,
    `the ${seen.count} echo requests from ${describePod(seen.from)} to ${seen.toWhat} ${seen.to} leaving its node by ${wire} from its net1 address ${seen.source}, and none of the ICMP on ${not}`,
    `${wire}: ${onWire.length} from ${seen.source}${foreign.length ? `, ${foreign.length} from ${list([...new Set(foreign.map((packet) => packet.src ?? '?'))])}` : ''}; ${not}: ${elsewhere.length} ICMP packets`,
  );
}

/** The router's port that faces a node's `iface`, from the topology file's links (a node is matched by its role suffix: k01-worker, lab-worker). */
export function routerPortOf(links: readonly LinkSpec[], node: string, iface: string): string | undefined {
  const suffix = /-(control-plane\d*|worker\d*)$/.exec(node)?.[1];
  return links.find((link) => link.nodeIface === iface && suffix !== undefined && link.node.endsWith(`-${suffix}`))?.routerIface;
}

/**
 * L21-11: the router answers a ping to the pod's net1 address, has learnt net1's MAC on the
 * port that faces the pod's node's `parent`, and maps the address to that MAC.
 */
export async function routerLearnsSecondary(
  cluster: Cluster,
  router: ExecTarget,
  pod: PodInfo,
  ifname: string,
  port: string | undefined,
): Promise<Verdict> {
  const [link, address] = await Promise.all([secondaryLink(cluster, podTarget(pod), ifname), secondaryAddress(cluster, pod, ifname)]);
  const ip = address.cidrs[0]?.split('/')[0];
  if (!ip) return verdict(false, `${ifname} of ${describePod(pod)} with an address`, 'none', [...link.evidence, ...address.evidence]);
  const pinged = await ping(cluster, router, ip, 3);
  const [fdb, neigh] = await Promise.all([bridgeFdb(cluster, router), neighbours(cluster, router, ip)]);
  const learnt = fdb.value.filter((entry) => entry.mac === link.value.mac && entry.master).map((entry) => entry.port ?? '?');
  const mapped = neigh.value.filter((entry) => entry.ip === ip).map((entry) => entry.mac ?? 'incomplete');
  const answered = new Set(pinged.value.replies.map((reply) => reply.seq)).size;
  return verdict(
    port !== undefined && learnt.length === 1 && learnt[0] === port && mapped.includes(link.value.mac) && answered === 3,
    `the router's ping of ${ip} answered, ${link.value.mac} (${ifname} of ${describePod(pod)}) learnt on ${port ?? "the port facing its node's eth2"}, ${ip} mapped to it`,
    `${answered} of 3 answered; ${link.value.mac} on ${list(learnt)}; ${ip} → ${list(mapped)}`,
    [...link.evidence, ...address.evidence, ...pinged.evidence, ...fdb.evidence, ...neigh.evidence],
  );
}

/**
 * L22-07 (live only): in the router's bridge, each port facing a node with pods attached holds
 * only that node's eth2 MAC, and every attached pod's address maps to its node's eth2 MAC.
 */
export async function routerSeesParentMacs(
  cluster: Cluster,
  router: ExecTarget,
  pods: PodInfo[],
  ifname: string,
  parent: string,
  portOf: (node: string) => string | undefined,
): Promise<Verdict> {
  const rows = await Promise.all(
    pods.map(async (pod) => {
      const [address, node] = await Promise.all([secondaryAddress(cluster, pod, ifname), interfaces(cluster, nodeTarget(pod.node))]);
      const ip = address.cidrs[0]?.split('/')[0];
      const pinged = ip ? await ping(cluster, router, ip, 1) : undefined;
      return {
        pod,
        ip,
        mac: interfaceNamed(node.value, parent)?.mac,
        evidence: [...address.evidence, ...node.evidence, ...(pinged?.evidence ?? [])],
      };
    }),
  );
  const [fdb, neigh] = await Promise.all([bridgeFdb(cluster, router), neighbours(cluster, router)]);
  const problems: string[] = [];
  for (const node of [...new Set(pods.map((pod) => pod.node))]) {
    const port = portOf(node);
    const macs = fdb.value
      .filter((entry) => entry.port === port && entry.master && !entry.flags.includes('self'))
      .map((entry) => entry.mac);
    const own = rows.find((row) => row.pod.node === node)?.mac;
    if (macs.some((mac) => mac !== own)) problems.push(`${port} (${node}) learnt ${list(macs as string[])}, not only ${own}`);
  }
  for (const row of rows) {
    const mapped = neigh.value.find((entry) => entry.ip === row.ip)?.mac;
    if (mapped !== row.mac) problems.push(`${row.ip} → ${mapped ?? 'nothing'}, not ${row.pod.node}'s ${parent} ${row.mac}`);
  }
  return verdict(
    pods.length > 0 && problems.length === 0,
    `per node port only the node's ${parent} MAC, and every ${ifname} address of ${list(pods.map((pod) => pod.name))} mapped to it`,
    problems.length ? list(problems) : 'as expected',
    [...rows.flatMap((row) => row.evidence), ...fdb.evidence, ...neigh.evidence],
  );
}

/** Arista writes MACs as 0242.0a0a.1464. */
function ceosMac(mac: string): string {
  return mac.includes('.') ? mac.replaceAll('.', '').replace(/(..)(?!$)/g, '$1:') : mac.toLowerCase();
}

/**
 * L21-12, L22-08 (live only, the course's cEOS): `show mac address-table vlan <vlan>` and
 * `show arp` as JSON; `expect` says what the tables must show for the pods.
 */
export async function ceosTables(
  cluster: Cluster,
  router: ExecTarget,
  vlan: number,
  pods: { pod: PodInfo; ip: string; mac: string; port: string | undefined }[],
  expect: 'own-mac-per-pod' | 'node-mac-per-port',
): Promise<Verdict> {
  const pinged = await Promise.all(pods.map((row) => ceosPing(cluster, router, row.ip)));
  const [table, arp] = await Promise.all([
    ceosShow(cluster, router, `show mac address-table vlan ${vlan}`),
    ceosShow(cluster, router, 'show arp'),
  ]);
  const entries = ((table.value.unicastTable?.tableEntries ?? []) as CeosJson[]).map((entry) => ({
    mac: ceosMac(String(entry.macAddress)),
    type: String(entry.entryType),
    port: String(entry.interface),
  }));
  const mapped = ((arp.value.ipV4Neighbors ?? []) as CeosJson[]).map((entry) => ({
    ip: String(entry.address),
    mac: ceosMac(String(entry.hwAddress)),
    iface: String(entry.interface),
  }));
  const problems: string[] = [];
  pods.forEach((row, index) => {
    const entry = entries.find((candidate) => candidate.mac === row.mac);
    if (!entry || entry.type !== 'dynamic' || entry.port !== row.port)
      problems.push(`${row.mac} ${entry ? `${entry.type} on ${entry.port}` : 'not learnt'}`);
    const neighbour = mapped.find((candidate) => candidate.ip === row.ip);
    if (neighbour?.mac !== row.mac || !neighbour.iface.startsWith(`Vlan${vlan}`))
      problems.push(`${row.ip} → ${neighbour ? `${neighbour.mac} on ${neighbour.iface}` : 'nothing'}`);
    if (!/ 0% packet loss/.test(pinged[index]?.value ?? '')) problems.push(`ping ${row.ip} lost packets`);
  });
  if (expect === 'node-mac-per-port') {
    for (const port of [...new Set(pods.map((row) => row.port))]) {
      const macs = entries.filter((entry) => entry.port === port).map((entry) => entry.mac);
      if (macs.length !== 1) problems.push(`${port}: ${macs.length} entries`);
    }
  }
  return verdict(
    pods.length > 0 && problems.length === 0,
    `VLAN ${vlan}'s MAC table and ARP table on the switch showing ${expect === 'own-mac-per-pod' ? "each pod's own MAC" : 'one MAC per node port'} and the pings answered`,
    problems.length ? list(problems) : 'as expected',
    [...pinged.flatMap((seen) => seen.evidence), ...table.evidence, ...arp.evidence],
  );
}
