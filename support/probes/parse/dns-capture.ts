/**
 * DNS messages in tcpdump's one-line summaries (`tcpdump -n`): a query
 * `… > 10.96.0.10.53: 4711+ [1au] A? nginx-service.default.svc.cluster.local. (80)` and its
 * response `10.96.0.10.53 > …: 4711 NXDomain*- 0/1/1 (150)` (rcode absent means NOERROR). tcpdump
 * decodes port 53 as DNS and prints no "UDP" word, so the ports tell the messages apart.
 */
import type { Packet } from './tcpdump.ts';

export interface DnsQuery {
  id: number;
  type: string;
  name: string;
  from: string | undefined;
  to: string | undefined;
}

export interface DnsResponse {
  id: number;
  rcode: string;
  answers: number;
  from: string | undefined;
}

const QUERY = /: (\d+)\+?%? (?:\[[^\]]*\] )*([A-Z0-9]+)\? (\S+) \(\d+\)$/;
const RESPONSE = /: (\d+)[*\-|$]* (?:(NXDomain|ServFail|Refused|FormErr|NotImp|YXDomain)[*\-|$]* )?(?:q: \S+ )?(\d+)\/(\d+)\/(\d+)/;

export function dnsQueriesOf(packets: Packet[]): DnsQuery[] {
  return packets.flatMap((packet) => {
    const match = packet.dstPort === 53 ? QUERY.exec(packet.raw) : null;
    return match ? [{ id: Number(match[1]), type: match[2] as string, name: match[3] as string, from: packet.src, to: packet.dst }] : [];
  });
}

export function dnsResponsesOf(packets: Packet[]): DnsResponse[] {
  return packets.flatMap((packet) => {
    const match = packet.srcPort === 53 ? RESPONSE.exec(packet.raw) : null;
    return match
      ? [{ id: Number(match[1]), rcode: match[2] ? match[2].toUpperCase() : 'NOERROR', answers: Number(match[3]), from: packet.src }]
      : [];
  });
}
