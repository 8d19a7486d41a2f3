import { familyOf } from './address.ts';
import { compact } from './compact.ts';
import { ParseError } from './errors.ts';

export interface LinkHeader {
  srcMac: string;
  dstMac: string;
  /** `IPv4`, `IPv6`, `ARP`, … */
  ethertype: string;
  /** Frame length. */
  length: number;
}

export interface Packet {
  /** The timestamp as printed (`00:29:47.987595`, or the `-tt`/`-tttt` forms). */
  time: string;
  /** With `-i any`: the interface and direction (`In`, `Out`, …). */
  iface?: string;
  direction?: string;
  /** With `-e`. */
  link?: LinkHeader;
  /** `IP`, `IP6`, `ARP`, or the first word tcpdump printed for other protocols. */
  network: string;
  /** ICMP covers ICMPv6 too (`network` tells them apart). */
  proto: 'ICMP' | 'UDP' | 'TCP' | 'other';
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  /** `echo request`, `echo reply`, or tcpdump's text for other ICMP messages. */
  icmpType?: string;
  /** ICMP echo identifier and sequence number. */
  id?: number;
  seq?: number;
  /** TCP flags as printed between the brackets: `S`, `S.`, `P.`, `.`. */
  tcpFlags?: string;
  /** The length tcpdump printed for the protocol (ICMP/UDP/TCP payload, ARP packet). */
  length?: number;
  /** An encapsulated packet (VXLAN's), which tcpdump prints on the next line, without a timestamp. */
  inner?: Packet;
  raw: string;
}

export interface TcpdumpSummary {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
  droppedByInterface?: number;
}

const PARSER = 'parseTcpdump';

/*
 * Checked against tcpdump 4.99.3 / libpcap 1.10.3 (`tcpdump --version`) with `-n -l`, `-n -e`,
 * `-n -i any` and `-r` of a `-w` file (fixtures netns-h24c-tcpdump-*, netns-tcpdump-*): ICMP and
 * ICMPv6 (echo, unreachable, neighbour discovery, hop-by-hop MLD), TCP, UDP with and without an
 * application decoder (DNS, VXLAN with the carried packet on the next line), ARP, IPv4 and IPv6.
 * The grammar is print-ip.c/print-ip6.c's one-line form `IP[6] src[.port] > dst[.port]: info`
 * (after the `-i any` interface and direction, or the `-e` link header), where info starts with
 * the protocol's own printer: `ICMP …`, `ICMP6, …` (`HBH ICMP6, …` behind a hop-by-hop header),
 * `Flags [...]` for TCP (tcp_print always starts so), `UDP, length N` or an application decoder
 * for UDP (udp_print: any other ported packet not `sctp`/`DCCP`), an encapsulated `IP …` (IPIP),
 * or another protocol's word. `-v` output (`IP (tos …` with the endpoints on the next line) and
 * any line not in this grammar is refused with its line, never read as some packet.
 */
const TIME = /^((?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+|\d{9,}\.\d+) (.*)$/;
const ANY_IFACE = /^(\S+)\s+(In|Out|B|M|P)\s+(.*)$/;
const ETHER =
  /^((?:[0-9a-f]{2}:){5}[0-9a-f]{2}) > ((?:[0-9a-f]{2}:){5}[0-9a-f]{2}), ethertype (\S+) \(0x[0-9a-f]{4}\), length (\d+): (.*)$/;
const IP = /^(IP6?) (\S+) > (\S+): (.*)$/;
const ENDPOINTS = /^(\S+) > (\S+): (.*)$/;
const ARP = /^ARP, (.*)$/;
const SUMMARY = /^(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$/;
/** What tcpdump writes on stderr around a capture, which callers may merge with the packets. */
const STDERR = [
  /^tcpdump: verbose output suppressed, use -v\[v\]\.\.\. for full protocol decode$/,
  /^tcpdump: data link type \S+$/,
  /^reading from file \S+, link-type \S+ \([^)]*\)(?:, snapshot length \d+)?$/,
];

/**
 * Parses `tcpdump -n` (optionally `-e`, `-i any`) output into packets; the packet a VXLAN
 * datagram carries, which tcpdump prints on the next line without a timestamp, is its `inner`.
 * tcpdump's own stderr lines (the verbose notice, `listening on`, `reading from file`, the
 * closing counts) are recognised and skipped, so merged output is fine; any other `tcpdump: …`
 * line is an error tcpdump reported.
 */
export function parseTcpdump(text: string): Packet[] {
  const packets: Packet[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || isListening(line) || SUMMARY.test(line) || STDERR.some((re) => re.test(line))) return;
    const fail = (reason: string): never => {
      throw new ParseError(PARSER, reason, raw, i + 1);
    };
    const timed = TIME.exec(line);
    if (!timed) {
      const outer = packets.at(-1);
      if (outer && !outer.inner && /\bVXLAN, flags \[/.test(outer.raw) && (IP.test(line) || ETHER.test(line))) {
        outer.inner = packetFrom(outer.time, line, line, fail);
        return;
      }
      return fail(line.startsWith('tcpdump:') ? 'tcpdump reported an error' : 'not a tcpdump -n packet line');
    }
    packets.push(packetFrom(timed[1] as string, timed[2] as string, line, fail));
  });
  return packets;
}

type Fail = (reason: string) => never;

function packetFrom(time: string, afterTime: string, raw: string, fail: Fail): Packet {
  let rest = afterTime;
  const any = ANY_IFACE.exec(rest);
  const head: Pick<Packet, 'time' | 'iface' | 'direction' | 'link'> = { time };
  if (any) {
    head.iface = any[1];
    head.direction = any[2];
    rest = any[3] as string;
  }
  const ether = ETHER.exec(rest);
  if (ether) {
    const [, srcMac = '', dstMac = '', ethertype = '', length, payload = ''] = ether;
    head.link = { srcMac, dstMac, ethertype, length: Number(length) };
    if (ethertype === 'ARP') return compact(arpPacket(head, payload, raw, fail));
    if (ethertype !== 'IPv4' && ethertype !== 'IPv6') return fail(`ethertype ${ethertype}, which this reading does not know`);
    const ip = ENDPOINTS.exec(payload) ?? fail(`an ${ethertype} frame without "src > dst: "`);
    return compact(ipPacket(head, ethertype === 'IPv4' ? 'IP' : 'IP6', ip[1] as string, ip[2] as string, ip[3] as string, raw, fail));
  }
  const ip = IP.exec(rest);
  if (ip) return compact(ipPacket(head, ip[1] as string, ip[2] as string, ip[3] as string, ip[4] as string, raw, fail));
  const arp = ARP.exec(rest);
  if (arp) return compact(arpPacket(head, arp[1] as string, raw, fail));
  if (/^IP6? \(/.test(rest)) return fail('verbose (-v) output: this reads the one-line form');
  return fail('neither an IP, IP6 nor ARP packet line');
}

function ipPacket(head: Partial<Packet>, network: string, src: string, dst: string, info: string, raw: string, fail: Fail): Packet {
  const from = splitPort(src, network) ?? fail(`"${src}" is not an ${network === 'IP' ? 'IPv4' : 'IPv6'} endpoint`);
  const to = splitPort(dst, network) ?? fail(`"${dst}" is not an ${network === 'IP' ? 'IPv4' : 'IPv6'} endpoint`);
  const packet: Packet = {
    ...head,
    time: head.time as string,
    network,
    proto: 'other',
    src: from.address,
    dst: to.address,
    srcPort: from.port,
    dstPort: to.port,
    raw,
  };
  const ported = from.port !== undefined && to.port !== undefined;
  if ((from.port !== undefined) !== (to.port !== undefined)) fail('a port on one end only');
  const icmp = network === 'IP' ? /^ICMP (.*), length (\d+)$/.exec(info) : /^(?:HBH )?ICMP6, (.*), length (\d+)$/.exec(info);
  if (!ported && icmp) {
    packet.proto = 'ICMP';
    packet.icmpType = (icmp[1] as string).split(', ')[0];
    packet.id = numberAfter(info, 'id');
    packet.seq = numberAfter(info, 'seq');
    packet.length = Number(icmp[2]);
  } else if (/^(?:HBH )?ICMP6?\b/.test(info)) {
    fail('an ICMP message not in the form "ICMP[6], <type>…, length N"');
  } else if (ported && /^Flags \[/.test(info)) {
    const tcp = /^Flags \[([^\]]*)\]/.exec(info) as RegExpExecArray;
    packet.proto = 'TCP';
    packet.tcpFlags = tcp[1];
    // TCP prints options before the payload length: take the last `length N`.
    const last = [...info.matchAll(/\blength (\d+)/g)].at(-1) ?? fail('a TCP segment without its length');
    packet.length = Number(last[1]);
  } else if (ported && !/^(?:sctp|DCCP)\b/.test(info)) {
    // udp_print: `UDP, length N`, or an application decoder's text (DNS, VXLAN, …).
    packet.proto = 'UDP';
    const udp = /^UDP, length (\d+)$/.exec(info);
    packet.length = udp ? Number(udp[1]) : numberAfter(info, 'length');
  } else if (/^IP6? \S+ > \S+: /.test(info)) {
    // IP in IP (Calico's IPIP): tcpdump prints the carried packet on the same line.
    // (print-ip.c appends `(ipip-proto-4)` after the carried packet; not recorded here: this kernel has no ipip.)
    const inner = IP.exec(info.replace(/ \(ipip-proto-4\)$/, '')) as RegExpExecArray;
    packet.inner = compact(
      ipPacket({ time: packet.time }, inner[1] as string, inner[2] as string, inner[3] as string, inner[4] as string, raw, fail),
    );
  } else {
    packet.length = numberAfter(info, 'length');
  }
  return packet;
}

/** `Request who-has 10.0.0.2 tell 10.0.0.1, length 28`, `Reply 10.0.0.2 is-at …, length 28`. */
function arpPacket(head: Partial<Packet>, info: string, raw: string, fail: Fail): Packet {
  const arp = /^.*, length (\d+)$/.exec(info) ?? fail('an ARP packet without its length');
  return { ...head, time: head.time as string, network: 'ARP', proto: 'other', length: Number(arp[1]), raw };
}

/** `192.168.10.1.59426` → address and port; tcpdump appends the port with a dot. Undefined if not an address of the family. */
function splitPort(endpoint: string, network: string): { address: string; port?: number } | undefined {
  const m =
    network === 'IP' ? /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/.exec(endpoint) : /^([0-9a-f:]*:[0-9a-f:.]*?)(?:\.(\d+))?$/.exec(endpoint);
  if (!m || familyOf(m[1] as string) !== (network === 'IP' ? 'ipv4' : 'ipv6')) return undefined;
  return { address: m[1] as string, port: m[2] === undefined ? undefined : Number(m[2]) };
}

function numberAfter(info: string, key: string): number | undefined {
  const m = new RegExp(`(?:^|, )${key} (\\d+)`).exec(info);
  return m ? Number(m[1]) : undefined;
}

/** True for the line tcpdump prints on stderr once its capture is open. */
export function isListening(line: string): boolean {
  return /^(?:tcpdump: )?listening on \S+, link-type \S+(?: \([^)]*\))?, (?:snapshot length|capture size) \d+ bytes$/.test(line.trim());
}

/** Reads the counts tcpdump prints on stderr when it stops (after -c, SIGINT or SIGTERM). */
export function parseTcpdumpSummary(stderr: string): TcpdumpSummary {
  const counts = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    const m = SUMMARY.exec(line.trim());
    if (m) counts.set(m[2] as string, Number(m[1]));
  }
  const captured = counts.get('captured');
  const receivedByFilter = counts.get('received by filter');
  const droppedByKernel = counts.get('dropped by kernel');
  if (captured === undefined || receivedByFilter === undefined || droppedByKernel === undefined) {
    throw new ParseError(
      'parseTcpdumpSummary',
      'no closing "N packets captured / received by filter / dropped by kernel" lines (tcpdump killed with SIGKILL, or still running?)',
      stderr,
    );
  }
  return compact({ captured, receivedByFilter, droppedByKernel, droppedByInterface: counts.get('dropped by interface') });
}
