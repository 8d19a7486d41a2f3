/**
 * Lesson 18: jumbo frames on the nodes' eth1, the pods' MTU as Calico derives or is told it,
 * don't-fragment pings, and path MTU discovery across the router for the API server's TLS
 * answers (refused by strict reverse-path filtering, learnt with loose filtering).
 */
import type { ExecResult, ExecTarget, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { VXLAN_DEVICE } from '../net/calico.ts';
import { rawCaptureDuring } from '../probes/capture.ts';
import { CURL_TIMED_OUT, fetchInsecure, type Fetched } from '../probes/https.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import type { EvidenceFile, Observation } from '../probes/observation.ts';
import { layers, parseTcpdumpVerbose, type VerbosePacket } from '../parse/tcpdump-verbose.ts';
import { pingDontFragment, ping } from '../probes/ping.ts';
import { routeGet } from '../probes/routes.ts';
import { vxlanDevice } from '../probes/vxlan.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import type { PingSeen } from './traffic-actions.ts';
import { calicoNodes, smallestHostMtu } from './overlay.ts';
import { interfacesOfNodes } from './node-interfaces.ts';

/** The API server the lesson talks to: the control-plane's InternalIP, port 6443. */
export async function apiServer(cluster: Cluster): Promise<{ node: string; ip: string; url: string }> {
  const node = (await cluster.nodes()).find((candidate) => candidate.role === 'control-plane');
  if (!node) throw new Error('the cluster has no control-plane node');
  return { node: node.name, ip: node.internalIP, url: `https://${node.internalIP}:6443/healthz` };
}

/** L18-01: every node's `dev` has MTU `mtu`. */
export async function deviceMtuEverywhere(cluster: Cluster, dev: string, mtu: number, only?: string): Promise<Verdict> {
  const nodes = (await cluster.nodes()).filter((node) => only === undefined || node.name === only);
  const { seen, evidence } = await interfacesOfNodes(cluster, nodes);
  const rows: string[] = [];
  let ok = nodes.length > 0;
  for (const { node, links } of seen) {
    const found = interfaceNamed(links, dev)?.mtu;
    ok &&= found === mtu;
    rows.push(`${node.name}: ${found ?? 'no such interface'}`);
  }
  return verdict(ok, `${only ? `node ${only}'s` : "every node's"} ${dev} to have MTU ${mtu}`, list(rows), evidence);
}

/** L18-01: every node's InternalIP is the address of its `dev`. */
export async function internalIPOnDevice(cluster: Cluster, dev: string): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const { seen, evidence } = await interfacesOfNodes(cluster, nodes);
  const wrong: string[] = [];
  for (const { node, links } of seen) {
    const own = interfaceNamed(links, dev);
    const addresses = own ? ipv4Addresses(own).map((cidr) => cidr.split('/')[0]) : [];
    if (!addresses.includes(node.internalIP))
      wrong.push(`${node.name}: InternalIP ${node.internalIP}, ${dev} ${list(addresses as string[])}`);
  }
  return verdict(
    wrong.length === 0,
    `every node's InternalIP to be its ${dev} address`,
    wrong.length ? list(wrong) : list(nodes.map((node) => `${node.name} ${node.internalIP}`)),
    evidence,
    [listing('nodes', nodes)],
  );
}

/** L18-03: two pods run on nodes whose Calico addresses are on different subnets. */
export async function podsOnDifferentSubnets(cluster: Cluster, a: PodInfo, b: PodInfo): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const subnet = (pod: PodInfo) => nodes.find((node) => node.name === pod.node)?.subnet;
  return verdict(
    subnet(a) !== undefined && subnet(a) !== subnet(b),
    `${describePod(a)} and ${describePod(b)} on nodes of different subnets`,
    `${a.node} on ${subnet(a)}, ${b.node} on ${subnet(b)}`,
  );
}

/** L18-04, L18-07: a pod's eth0 MTU is its node's smallest up host MTU less `overhead`. */
export async function podMtuFollowsHost(cluster: Cluster, pod: PodInfo, overhead: number): Promise<Verdict> {
  const [inPod, onNode] = await Promise.all([interfaces(cluster, podTarget(pod)), interfaces(cluster, nodeTarget(pod.node))]);
  const eth0 = interfaceNamed(inPod.value, 'eth0')?.mtu;
  const smallest = smallestHostMtu(onNode.value);
  const hosts = onNode.value
    .filter((iface) => iface.operUp && iface.name !== 'lo' && !iface.name.startsWith('cali') && iface.name !== VXLAN_DEVICE)
    .map((iface) => `${iface.name} ${iface.mtu}`);
  return verdict(
    smallest !== undefined && eth0 === smallest - overhead,
    `the MTU of ${describePod(pod)}'s eth0 to be the smallest MTU of its node's up host interfaces (${list(hosts)}) less ${overhead}`,
    `eth0 ${eth0 ?? 'missing'}, smallest host MTU ${smallest ?? 'none'}`,
    [...inPod.evidence, ...onNode.evidence],
  );
}

/** L18-07: a pod's eth0 and its host-side interface have MTU `mtu`. */
export async function podAndHostSideMtu(cluster: Cluster, pod: PodInfo, hostSide: string | undefined, mtu: number): Promise<Verdict> {
  const [inPod, onNode] = await Promise.all([interfaces(cluster, podTarget(pod)), interfaces(cluster, nodeTarget(pod.node))]);
  const eth0 = interfaceNamed(inPod.value, 'eth0')?.mtu;
  const host = hostSide ? interfaceNamed(onNode.value, hostSide)?.mtu : undefined;
  return verdict(
    eth0 === mtu && host === mtu,
    `${describePod(pod)}'s eth0 and its host side ${hostSide ?? '(unknown)'} at MTU ${mtu}`,
    `eth0 ${eth0 ?? 'missing'}, host side ${host ?? 'missing'}`,
    [...inPod.evidence, ...onNode.evidence],
  );
}

/** L18-07: every node's vxlan.calico has MTU `mtu`. */
export async function vxlanMtuEverywhere(cluster: Cluster, mtu: number): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({ node: node.name, device: await vxlanDevice(cluster, nodeTarget(node.name)) })),
  );
  return verdict(
    seen.every((row) => row.device.value.mtu === mtu),
    `every node's vxlan.calico at MTU ${mtu}`,
    list(seen.map((row) => `${row.node}: ${row.device.value.mtu}`)),
    seen.flatMap((row) => row.device.evidence),
  );
}

export interface SizedPingSeen extends PingSeen {
  size: number;
}

/** L18-06: each request refused in the pod by the kernel: `local error: message too long, mtu=<the pod's eth0 MTU>`. */
export async function refusedLocally(cluster: Cluster, seen: SizedPingSeen): Promise<Verdict> {
  const inPod = await interfaces(cluster, podTarget(seen.from));
  const mtu = interfaceNamed(inPod.value, 'eth0')?.mtu;
  const result = seen.observation.value;
  const wanted = `ping: local error: message too long, mtu=${mtu}`;
  const refusals = result.errors.filter((line) => line === wanted).length;
  return verdict(
    refusals === seen.count && result.replies.length === 0 && result.lossPercent === 100,
    `each of ${seen.count} echo requests of ${seen.size} data bytes, not to be fragmented, refused in ${describePod(seen.from)} with "${wanted}", 100% loss`,
    `${refusals} refusals, ${result.replies.length} replies, loss ${result.lossPercent ?? '?'}%${result.errors.length ? `; ${list([...new Set(result.errors)])}` : ''}`,
    [...seen.observation.evidence, ...inPod.evidence],
  );
}

/** L18-08: every reply `bytes` long and with TTL `ttl`. */
export function repliesSized(seen: PingSeen, bytes: number, ttl: number): Verdict {
  const replies = seen.observation.value.replies;
  return verdict(
    replies.length >= seen.count && replies.every((reply) => reply.bytes === bytes && reply.ttl === ttl),
    `${seen.count} replies from ${describePod(seen.to)}, each ${bytes} bytes with TTL ${ttl}`,
    replies.length
      ? list(replies.map((reply) => `${reply.bytes} bytes ttl ${reply.ttl}`))
      : `no replies${seen.observation.value.errors.length ? `; ${list([...new Set(seen.observation.value.errors)])}` : ''}`,
    seen.observation.evidence,
  );
}

export interface PacketCapture<T> {
  label: string;
  packets: VerbosePacket[];
  during: Observation<T>;
  evidence: ExecResult[];
  /** The captured packets as a .pcap file. */
  files: EvidenceFile[];
}

/** tcpdump on `iface` of `target` around `action`, read back with -vv (every header, nested ones too). */
export async function captureVerbose<T>(
  cluster: Cluster,
  target: ExecTarget,
  iface: string,
  label: string,
  action: () => Promise<Observation<T>>,
  filter: string[] = ['ip'],
): Promise<PacketCapture<T>> {
  const observation = await rawCaptureDuring(cluster, target, iface, filter, ['-vv'], label, action);
  return {
    label,
    packets: parseTcpdumpVerbose(observation.value.text),
    during: observation.value.during,
    evidence: observation.evidence,
    files: observation.files ?? [],
  };
}

/** L18-06: the host side carried the small control request, and no request longer than the pod's MTU. */
export function noOversizedRequest(capture: PacketCapture<unknown>, from: PodInfo, to: PodInfo, mtu: number): Verdict {
  const requests = capture.packets.filter((packet) => packet.src === from.ip && packet.dst === to.ip && packet.icmpType === 'echo request');
  const small = requests.filter((packet) => packet.ip.length <= mtu);
  const large = requests.filter((packet) => packet.ip.length > mtu);
  return verdict(
    small.length > 0 && large.length === 0,
    `the capture on ${capture.label} to show the default-size request (the capture sees the pod's packets) and no echo request longer than ${mtu} bytes`,
    `${small.length} default-size, ${large.length} larger (${list(large.map((packet) => packet.ip.length))})`,
    capture.evidence,
  );
}

/** L18-08: the echo requests leave as VXLAN packets of IP length `length`. */
export function vxlanRequestsOfLength(capture: PacketCapture<unknown>, from: PodInfo, to: PodInfo, length: number): Verdict {
  const requests = capture.packets.filter(
    (packet) => packet.vxlan && packet.inner?.src === from.ip && packet.inner?.dst === to.ip && packet.inner?.icmpType === 'echo request',
  );
  return verdict(
    requests.length > 0 && requests.every((packet) => packet.ip.length === length),
    `the echo requests from ${describePod(from)} to cross ${capture.label} as VXLAN packets of IP length ${length}`,
    requests.length
      ? list(requests.map((packet) => `${packet.ip.length}${packet.ip.df ? ' DF' : ''}`))
      : `no VXLAN request (${capture.packets.length} packets: ${list(capture.packets.slice(0, 3).map((packet) => `${packet.src} > ${packet.dst} length ${packet.ip.length}`))})`,
    capture.evidence,
  );
}

/** L18-09, L18-10, L18-15, L18-16: the fetch printed `body`. */
export function answered(fetched: Observation<Fetched>, where: string, body: string): Verdict {
  const { value } = fetched;
  return verdict(
    value.exitCode === 0 && value.body.trim() === body,
    `${value.url} fetched over TLS from ${where} to answer "${body}"`,
    value.exitCode === 0 ? `"${value.body.trim()}"` : `curl exit ${value.exitCode}: ${value.error}`,
    fetched.evidence,
  );
}

/** L18-10, L18-14: the fetch timed out (curl's exit code 28). */
export function timedOut(fetched: Observation<Fetched>, where: string): Verdict {
  const { value } = fetched;
  return verdict(
    value.exitCode === CURL_TIMED_OUT,
    `${value.url} fetched over TLS from ${where} to time out (curl exit ${CURL_TIMED_OUT})`,
    value.exitCode === 0 ? `answered "${value.body.trim()}"` : `curl exit ${value.exitCode}: ${value.error}`,
    fetched.evidence,
  );
}

export function fetchFrom(cluster: Cluster, node: string, url: string): Promise<Observation<Fetched>> {
  return fetchInsecure(cluster, nodeTarget(node), url, 3);
}

/** L18-11: the router's ICMP "fragmentation needed" to the API server, quoting its DF segment to `peer`, longer than `mtu`. */
export function fragNeededSeen(capture: PacketCapture<unknown>, server: string, port: number, peer: string, mtu: number): Verdict {
  const errors = capture.packets.filter((packet) => packet.dst === server && packet.nextHopMtu !== undefined);
  const fitting = errors.filter(
    (packet) =>
      packet.nextHopMtu === mtu &&
      packet.inner?.src === server &&
      packet.inner.srcPort === port &&
      packet.inner.dst === peer &&
      packet.inner.ip.proto === 'TCP' &&
      packet.inner.ip.df &&
      packet.inner.ip.length > mtu,
  );
  return verdict(
    fitting.length > 0 && fitting.length === errors.length,
    `the capture on ${capture.label} to show ICMP "fragmentation needed" (mtu ${mtu}) to ${server}, quoting a TCP segment from ${server}:${port} to ${peer} with DF and an IP length above ${mtu}`,
    errors.length
      ? list(
          errors.slice(0, 3).map(
            (packet) =>
              `${packet.src} > ${packet.dst} ${packet.icmpType} [ ${layers(packet)
                .slice(1)
                .map(
                  (layer) =>
                    `${layer.src}.${layer.srcPort} > ${layer.dst}.${layer.dstPort} ${layer.ip.df ? 'DF ' : ''}length ${layer.ip.length}`,
                )
                .join('')} ]`,
          ),
        )
      : 'no ICMP "fragmentation needed"',
    capture.evidence,
  );
}

/** L18-13: every TCP segment between `peer` and the API server carries DF. */
export function tcpCarriesDf(capture: PacketCapture<unknown>, server: string, peer: string): Verdict {
  const segments = capture.packets.filter(
    (packet) =>
      packet.ip.proto === 'TCP' && ((packet.src === server && packet.dst === peer) || (packet.src === peer && packet.dst === server)),
  );
  const without = segments.filter((packet) => !packet.ip.df);
  return verdict(
    segments.length > 0 && without.length === 0,
    `every TCP segment between ${peer} and ${server} in the capture on ${capture.label} to carry DF`,
    `${segments.length} segments, ${without.length} without DF`,
    capture.evidence,
  );
}

/** L18-15: the handshake's MSS options: the client's SYN and the server's SYN-ACK. */
export function handshakeMss(capture: PacketCapture<unknown>, server: string, peer: string, synMss: number, synAckMss: number): Verdict {
  const syn = capture.packets.find((packet) => packet.src === peer && packet.dst === server && packet.tcpFlags === 'S');
  const synAck = capture.packets.find((packet) => packet.src === server && packet.dst === peer && packet.tcpFlags === 'S.');
  return verdict(
    syn?.mss === synMss && synAck?.mss === synAckMss,
    `${peer}'s SYN with mss ${synMss} and ${server}'s SYN-ACK with mss ${synAckMss}`,
    `SYN mss ${syn?.mss ?? 'none'}, SYN-ACK mss ${synAck?.mss ?? 'none'}`,
    capture.evidence,
  );
}

/** L18-14, L18-15: the control-plane's cached path MTU towards `peer` (`ip route get`). */
export async function cachedPathMtu(cluster: Cluster, node: string, peer: string, mtu: number | undefined): Promise<Verdict> {
  const answer = await routeGet(cluster, nodeTarget(node), peer);
  const cached = answer.value.kind === 'route' ? answer.value.lookup.mtu : undefined;
  return verdict(
    answer.value.kind === 'route' && cached === mtu,
    mtu === undefined ? `node ${node} to cache no path MTU for ${peer}` : `node ${node} to cache a path MTU of ${mtu} for ${peer}`,
    answer.value.kind !== 'route'
      ? `the kernel refused the look-up: ${answer.value.said}`
      : cached === undefined
        ? 'none cached'
        : `mtu ${cached} cached`,
    answer.evidence,
  );
}

export { ping, pingDontFragment };

/** L18-12: the router's ICMP comes from an address the receiving node routes via `dev` (not the interface it arrived on). */
export async function icmpSourceRoutedVia(cluster: Cluster, capture: PacketCapture<unknown>, node: string, dev: string): Promise<Verdict> {
  const icmp = capture.packets.find((packet) => packet.nextHopMtu !== undefined);
  if (!icmp) return verdict(false, `an ICMP "fragmentation needed" in the capture on ${capture.label}`, 'none', capture.evidence);
  const answer = await routeGet(cluster, nodeTarget(node), icmp.src);
  const out = answer.value.kind === 'route' ? answer.value.lookup.dev : undefined;
  return verdict(out === dev, `node ${node} to route the ICMP's source ${icmp.src} via ${dev}`, out ? `via dev ${out}` : 'no route', [
    ...capture.evidence,
    ...answer.evidence,
  ]);
}
