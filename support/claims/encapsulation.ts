/**
 * Lesson 06: where pod packets are encapsulated. A capture (tcpdump -vv, which prints every
 * IP header and what is nested in it) on a node's link or on the router while one pod pings
 * another shows, between subnets, only VXLAN between the nodes' addresses carrying the pods'
 * ICMP, and within a subnet the pods' ICMP itself.
 */
import type { ExecResult } from '../domain.ts';
import type { EvidenceFile } from '../probes/observation.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { layers, type VerbosePacket } from '../parse/tcpdump-verbose.ts';
import { describePod } from '../subjects.ts';
import type { PingSeen } from './traffic-actions.ts';

export interface WireCapture {
  /** Where it ran, in words: `eth1 of node x`, `the router`. */
  label: string;
  packets: VerbosePacket[];
  ping: PingSeen;
  evidence: ExecResult[];
  /** The captured packets as a .pcap file, for Wireshark or `tcpdump -r`. */
  files: EvidenceFile[];
}

const echo = (packet: VerbosePacket | undefined, type: 'echo request' | 'echo reply') =>
  packet?.ip.proto === 'ICMP' && packet.icmpType === type;

function between(packet: VerbosePacket, a: string | undefined, b: string | undefined): boolean {
  return (packet.src === a && packet.dst === b) || (packet.src === b && packet.dst === a);
}

function show(packet: VerbosePacket): string {
  return layers(packet)
    .map(
      (layer) =>
        `${layer.src}${layer.srcPort ? `.${layer.srcPort}` : ''} > ${layer.dst}${layer.dstPort ? `.${layer.dstPort}` : ''} ${layer.vxlan ? `VXLAN vni ${layer.vxlan.vni}` : (layer.icmpType ?? layer.ip.proto)}`,
    )
    .join(' [ ');
}

/** The packets that carry the ping's pods at any layer. */
function podPackets(capture: WireCapture): VerbosePacket[] {
  const { from, to } = capture.ping;
  return capture.packets.filter((packet) => layers(packet).some((layer) => between(layer, from.ip, to.ip)));
}

/** L06-11: every packet of the exchange is VXLAN (UDP `port`, `vni`) between the two nodes' addresses, with the pods' ICMP inside. */
export function onlyVxlanBetweenNodes(capture: WireCapture, nodeA: string, nodeB: string, port: number, vni: number): Verdict {
  const { from, to, count } = capture.ping;
  const carried = podPackets(capture);
  const wrong = carried.filter(
    (packet) =>
      !(
        between(packet, nodeA, nodeB) &&
        packet.ip.proto === 'UDP' &&
        packet.dstPort === port &&
        packet.vxlan?.vni === vni &&
        packet.inner &&
        between(packet.inner, from.ip, to.ip)
      ),
  );
  const requests = carried.filter((packet) => echo(packet.inner, 'echo request')).length;
  const replies = carried.filter((packet) => echo(packet.inner, 'echo reply')).length;
  return verdict(
    wrong.length === 0 && requests >= count && replies >= count,
    `the capture on ${capture.label} to show the ping from ${describePod(from)} to ${describePod(to)} (${count} requests and replies) only as VXLAN (UDP ${port}, VNI ${vni}) between ${nodeA} and ${nodeB}, the pods' ICMP inside`,
    `${requests} encapsulated requests, ${replies} replies${wrong.length ? `; otherwise: ${list(wrong.slice(0, 4).map(show))}` : ''}`,
    capture.evidence,
  );
}

/** L06-11: the exchange as the pods' own ICMP, and no VXLAN at all. */
export function plainIcmpNoVxlan(capture: WireCapture, port: number): Verdict {
  const { from, to, count } = capture.ping;
  const plain = capture.packets.filter((packet) => between(packet, from.ip, to.ip) && !packet.inner);
  const vxlan = capture.packets.filter(
    (packet) => packet.vxlan || (packet.ip.proto === 'UDP' && (packet.dstPort === port || packet.srcPort === port)),
  );
  const requests = plain.filter((packet) => echo(packet, 'echo request')).length;
  const replies = plain.filter((packet) => echo(packet, 'echo reply')).length;
  return verdict(
    requests >= count && replies >= count && vxlan.length === 0,
    `the capture on ${capture.label} to show the ping from ${describePod(from)} to ${describePod(to)} as plain ICMP between the pods (${count} requests and replies), and no UDP ${port}`,
    `${requests} plain requests, ${replies} replies, ${vxlan.length} VXLAN packets${vxlan.length ? `: ${list(vxlan.slice(0, 3).map(show))}` : ''}`,
    capture.evidence,
  );
}

/** L06-11: the router carries the exchange but never sees a pod address in a header it routes on. */
export function noPodAddressOutside(capture: WireCapture, poolContains: (ip: string) => boolean): Verdict {
  const { from, to, count } = capture.ping;
  const exposed = capture.packets.filter((packet) => poolContains(packet.src) || poolContains(packet.dst));
  const carried = podPackets(capture).filter((packet) => packet.vxlan).length;
  return verdict(
    exposed.length === 0 && carried >= 2 * count,
    `the capture on ${capture.label} to carry the ping from ${describePod(from)} to ${describePod(to)} (at least ${2 * count} packets) with no pod address in an outer header`,
    `${carried} encapsulated packets of the ping; ${exposed.length ? `pod addresses outside: ${list(exposed.slice(0, 4).map(show))}` : 'no pod address outside'}`,
    capture.evidence,
  );
}

/** L06-12: the requests arrive at the receiving node as VXLAN from the sending node's address, with the source pod's own address inside. */
export function vxlanArrivesFrom(capture: WireCapture, sender: string, receiver: string, port: number): Verdict {
  const { from, count } = capture.ping;
  const arriving = capture.packets.filter(
    (packet) =>
      packet.src === sender && packet.dst === receiver && packet.dstPort === port && packet.vxlan && echo(packet.inner, 'echo request'),
  );
  const sources = [...new Set(arriving.map((packet) => packet.inner?.src))];
  return verdict(
    arriving.length >= count && sources.length === 1 && sources[0] === from.ip,
    `the capture on ${capture.label} to show ${count} echo requests arriving as VXLAN from ${sender} to ${receiver}, each carrying ${describePod(from)}'s own address`,
    arriving.length ? `${arriving.length} arriving, inner sources ${list(sources.map(String))}` : 'no VXLAN packet from the sender',
    capture.evidence,
  );
}
