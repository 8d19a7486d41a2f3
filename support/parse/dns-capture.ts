/**
 * DNS messages in tcpdump's one-line summaries (`tcpdump -n`): a query
 * `… > 10.96.0.10.53: 4711+ [1au] A? nginx-service.default.svc.cluster.local. (80)` and its
 * response `10.96.0.10.53 > …: 4711 NXDomain*- 0/1/1 (150)` (rcode absent means NOERROR). tcpdump
 * decodes port 53 as DNS and prints no "UDP" word, so the ports tell the messages apart.
 *
 * Checked against tcpdump 4.99.3 (`-n -l`) on dig 9.18 asking unbound over UDP and TCP (`+tcp`:
 * the DNS text follows the segment's `length N`), IPv4 and IPv6. A message of port 53 that is
 * neither a query nor a response (an undecoded payload) is an error, never left out.
 */
import { ParseError } from './errors.ts';
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

const QUERY = /^(\d+)\+?%? (?:\[[^\]]*\] )*([A-Z0-9]+)\? (\S+) \(\d+\)$/;
const RESPONSE = /^(\d+)[*\-|$]* (?:(NXDomain|ServFail|Refused|FormErr|NotImp|YXDomain)[*\-|$]* )?(?:q: \S+ )?(\d+)\/(\d+)\/(\d+)/;

/**
 * The DNS text of a packet to or from port 53: after `src > dst: ` for UDP, after a TCP
 * segment's `length N ` for DNS over TCP (a segment without payload carries none). Undefined
 * for packets of other ports and empty TCP segments.
 */
function dnsText(packet: Packet): string | undefined {
  if (packet.srcPort !== 53 && packet.dstPort !== 53) return undefined;
  if (packet.tcpFlags !== undefined) {
    const tcp = /, length (\d+)(?: (.*))?$/.exec(packet.raw);
    if (!tcp) throw new ParseError('dns capture', 'a TCP segment of port 53 without its length', packet.raw);
    if (tcp[1] === '0') return undefined;
    if (tcp[2] === undefined)
      throw new ParseError('dns capture', 'a TCP segment of port 53 with a payload tcpdump did not decode as DNS', packet.raw);
    return tcp[2];
  }
  const udp = / > \S+: (.*)$/.exec(packet.raw);
  if (!udp) throw new ParseError('dns capture', 'a packet of port 53 without "src > dst: "', packet.raw);
  return udp[1];
}

/** Each DNS message of the capture: a query (`id+ … TYPE? name (size)`) or a response (`id … an/ns/ar`). */
interface Message {
  packet: Packet;
  query?: RegExpExecArray;
  response?: RegExpExecArray;
}

function messagesOf(packets: Packet[]): Message[] {
  return packets.flatMap((packet): Message[] => {
    const text = dnsText(packet);
    if (text === undefined) return [];
    const query = QUERY.exec(text);
    if (query) return [{ packet, query }];
    const response = RESPONSE.exec(text);
    if (response) return [{ packet, response }];
    throw new ParseError('dns capture', 'a message of port 53 that is neither a DNS query nor a response', packet.raw);
  });
}

export function dnsQueriesOf(packets: Packet[]): DnsQuery[] {
  return messagesOf(packets).flatMap(({ packet, query }) =>
    query ? [{ id: Number(query[1]), type: query[2] as string, name: query[3] as string, from: packet.src, to: packet.dst }] : [],
  );
}

export function dnsResponsesOf(packets: Packet[]): DnsResponse[] {
  return messagesOf(packets).flatMap(({ packet, response }) =>
    response
      ? [
          {
            id: Number(response[1]),
            rcode: response[2] ? response[2].toUpperCase() : 'NOERROR',
            answers: Number(response[3]),
            from: packet.src,
          },
        ]
      : [],
  );
}
