/**
 * `tcpdump -n -vv` output: every IP header in full (TTL, DF, total length) with what it
 * carries, and the packets nested inside — a VXLAN packet's inner frame, the packet an ICMP
 * error quotes. The plain `-n` form is parsed by tcpdump.ts; this form is needed where a
 * claim is about the IP header (DF, an outer length, a TCP MSS) or about encapsulation.
 *
 * Checked against tcpdump 4.99.3 / libpcap 1.10.3 with `-n -vv` (and `-i any`): IPv4, whose header
 * is on its own line and the addresses on the next; IPv6, whose header (`IP6 (flowlabel …, hlim N,
 * next-header P (n) payload length: L)`) and addresses share one line; VXLAN and ICMP quotes nested
 * without a timestamp; UDP, TCP, DNS, ICMP and ICMPv6. A timestamped line that is no IP or IPv6
 * packet (ARP, for one) is an error, never folded into the packet before.
 */
import { ParseError } from './errors.ts';

export interface IpHeader {
  version: 4 | 6;
  /** TTL, or IPv6's hop limit. */
  ttl: number;
  /** Don't Fragment (IPv4 only: IPv6 routers never fragment). */
  df: boolean;
  /** `UDP`, `TCP`, `ICMP`, … as tcpdump names the protocol. */
  proto: string;
  /** The IP total length (header included; for IPv6 the payload length plus the 40-byte header). */
  length: number;
}

export interface VerbosePacket {
  /** Set on the outermost packet only. */
  time?: string;
  /** With `-i any`: the interface and direction. */
  iface?: string;
  direction?: string;
  ip: IpHeader;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  /** What tcpdump printed after `src > dst: `. */
  info: string;
  vxlan?: { vni: number };
  /** ICMP: `echo request`, `echo reply`, or the error text (`10.10.20.20 unreachable - need to frag (mtu 1500)`). */
  icmpType?: string;
  /** The MTU an ICMP "fragmentation needed" names. */
  nextHopMtu?: number;
  tcpFlags?: string;
  /** The MSS option of a TCP segment (SYN, SYN-ACK). */
  mss?: number;
  /** The frame inside a VXLAN packet, or the packet an ICMP error quotes. */
  inner?: VerbosePacket;
}

const PARSER = 'parseTcpdumpVerbose';
const HEADER = /^(?:((?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+) )?(?:(\S+)\s+(In|Out|B|M|P)\s+)?IP \((.*)\)$/;
const BODY = /^(\S+) > (\S+): (.*)$/;
const IP6_LINE =
  /^(?:((?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+) )?(?:(\S+)\s+(In|Out|B|M|P)\s+)?IP6 \(((?:[^()]|\([^()]*\))*)\) (\S+) > (\S+): (.*)$/;
const TIMESTAMPED = /^(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+ /;
// What tcpdump 4.99 prints about the capture itself (on stderr, which a capture's text may hold); any other
// `tcpdump: ` line is an error of tcpdump's ("tcpdump: eth9: No such device exists"), never a capture with no packets.
const SKIPPED =
  /^(tcpdump: (listening on |data link type |verbose output suppressed)|listening on |\d+ packets? (captured|received by filter|dropped by kernel|dropped by interface)$)/;

function field(header: string, name: string): string | undefined {
  return new RegExp(`(?:^|, )${name} ([^,]+)`).exec(header)?.[1];
}

function ipHeader(text: string, raw: string, line: number): IpHeader {
  const ttl = field(text, 'ttl');
  const length = field(text, 'length');
  const proto = /proto (\S+) \(\d+\)/.exec(text)?.[1];
  if (ttl === undefined || length === undefined || proto === undefined)
    throw new ParseError(PARSER, 'an IP header without ttl, proto or length', raw, line);
  return { version: 4, ttl: Number(ttl), df: /flags \[[^\]]*DF[^\]]*\]/.test(text), proto, length: Number(length) };
}

function ip6Header(text: string, raw: string, line: number): IpHeader {
  const m = /^(?:flowlabel \S+, )?hlim (\d+), next-header (\S+) \(\d+\),? payload length: (\d+)$/.exec(text);
  if (!m) throw new ParseError(PARSER, 'an IPv6 header without hlim, next-header or payload length', raw, line);
  return { version: 6, ttl: Number(m[1]), df: false, proto: m[2] as string, length: Number(m[3]) + 40 };
}

/** `10.0.0.1`, `10.0.0.1.80`, `fd00::1`, `fd00::1.53`: with -n tcpdump prints addresses, never names. */
function endpoint(text: string, raw: string, line: number): { address: string; port?: number } {
  const m = text.includes(':') ? /^([0-9a-f:.]*:[0-9a-f:]*?)(?:\.(\d+))?$/i.exec(text) : /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new ParseError(PARSER, `"${text}" is not an address (a capture without -n?)`, raw, line);
  return { address: m[1] as string, ...(m[2] ? { port: Number(m[2]) } : {}) };
}

function describe(packet: VerbosePacket): VerbosePacket {
  const { info } = packet;
  const vxlan = /\bVXLAN, .*\bvni (\d+)/.exec(info);
  if (vxlan) packet.vxlan = { vni: Number(vxlan[1]) };
  const icmp = /^ICMP (.*?)(?:, length \d+)?$/.exec(info);
  if (icmp) {
    packet.icmpType = (icmp[1] as string).replace(/, id \d+, seq \d+$/, '');
    const mtu = /need to frag \(mtu (\d+)\)/.exec(info);
    if (mtu) packet.nextHopMtu = Number(mtu[1]);
  }
  const tcp = /^Flags \[([^\]]*)\]/.exec(info);
  if (tcp) {
    packet.tcpFlags = tcp[1];
    const mss = /options \[[^\]]*\bmss (\d+)/.exec(info);
    if (mss) packet.mss = Number(mss[1]);
  }
  return packet;
}

/**
 * Parses `tcpdump -n -vv` (optionally `-i any`). A header line with a timestamp starts a
 * packet; one without is the packet nested in the one before (VXLAN's inner frame, an ICMP
 * error's quote). Lines tcpdump adds about a packet (checksums, options) are kept in `info`.
 */
export function parseTcpdumpVerbose(text: string): VerbosePacket[] {
  const packets: VerbosePacket[] = [];
  let innermost: VerbosePacket | undefined;
  let pending: { header: RegExpExecArray; raw: string; line: number } | undefined;
  const add = (
    time: string | undefined,
    iface: string | undefined,
    direction: string | undefined,
    ip: IpHeader,
    body: string[],
    where: { raw: string; line: number },
  ) => {
    const from = endpoint(body[0] as string, where.raw, where.line);
    const to = endpoint(body[1] as string, where.raw, where.line);
    const packet = describe({
      ...(time ? { time } : {}),
      ...(iface ? { iface, direction } : {}),
      ip,
      src: from.address,
      dst: to.address,
      ...(from.port !== undefined ? { srcPort: from.port } : {}),
      ...(to.port !== undefined ? { dstPort: to.port } : {}),
      info: body[2] as string,
    });
    if (time || !innermost) packets.push(packet);
    else innermost.inner = packet;
    innermost = packet;
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || SKIPPED.test(line)) return;
    const header = HEADER.exec(line);
    if (header) {
      if (pending) throw new ParseError(PARSER, 'an IP header without its addresses', pending.raw, pending.line);
      pending = { header, raw, line: index + 1 };
      return;
    }
    const ip6 = IP6_LINE.exec(line);
    if (ip6) {
      if (pending) throw new ParseError(PARSER, 'an IP header without its addresses', pending.raw, pending.line);
      const [, time, iface, direction, headerText, src, dst, info] = ip6;
      add(time, iface, direction, ip6Header(headerText as string, raw, index + 1), [src as string, dst as string, info as string], {
        raw,
        line: index + 1,
      });
      return;
    }
    const body = BODY.exec(line);
    if (pending && body) {
      const [, time, iface, direction, ipText] = pending.header;
      add(time, iface, direction, ipHeader(ipText as string, pending.raw, pending.line), body.slice(1), { raw, line: index + 1 });
      pending = undefined;
      return;
    }
    if (TIMESTAMPED.test(line))
      throw new ParseError(PARSER, 'a packet that is neither IP nor IPv6 as tcpdump -vv prints them', raw, index + 1);
    if (innermost && !pending && /^\s/.test(raw)) {
      innermost.info += ` ${line}`; // a continuation line of the packet before
      return;
    }
    throw new ParseError(PARSER, 'not a tcpdump -vv line', raw, index + 1);
  });
  return packets;
}

/** The packet and everything nested in it, outermost first. */
export function layers(packet: VerbosePacket): VerbosePacket[] {
  return packet.inner ? [packet, ...layers(packet.inner)] : [packet];
}
