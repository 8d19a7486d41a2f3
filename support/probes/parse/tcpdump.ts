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

const TIME = /^((?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+|\d{9,}\.\d+) (.*)$/;
const ANY_IFACE = /^(\S+)\s+(In|Out|B|M|P)\s+(.*)$/;
const ETHER = /^((?:[0-9a-f]{2}:){5}[0-9a-f]{2}) > ((?:[0-9a-f]{2}:){5}[0-9a-f]{2}), ethertype (\S+) \(0x[0-9a-f]+\), length (\d+): (.*)$/;
const IP = /^(IP6?) (\S+) > (\S+): (.*)$/;
const ENDPOINTS = /^(\S+) > (\S+): (.*)$/;
const SUMMARY = /^(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$/;

/**
 * Parses `tcpdump -n` (optionally `-e`, `-i any`) output into packets; a packet tcpdump decodes
 * inside another (VXLAN on UDP 4789) is the outer packet's `inner`. tcpdump's own stderr lines
 * (verbose notice, `listening on`, the closing counts) are skipped, so merged output is fine;
 * any other `tcpdump: …` line is an error tcpdump reported.
 */
export function parseTcpdump(text: string): Packet[] {
  const packets: Packet[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || isListening(line) || SUMMARY.test(line) || line.startsWith('tcpdump: verbose output suppressed')) return;
    const timed = TIME.exec(line);
    const outer = packets.at(-1);
    if (!timed && outer && !outer.inner && (IP.test(line) || ETHER.test(line))) {
      outer.inner = packetFrom(outer.time, line, line);
      return;
    }
    if (!timed) {
      const reason = line.startsWith('tcpdump:') ? 'tcpdump reported an error' : 'not a tcpdump -n packet line';
      throw new ParseError(PARSER, reason, raw, i + 1);
    }
    packets.push(packetFrom(timed[1] as string, timed[2] as string, line));
  });
  return packets;
}

function packetFrom(time: string, afterTime: string, raw: string): Packet {
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
    const network = ethertype === 'IPv4' ? 'IP' : ethertype === 'IPv6' ? 'IP6' : ethertype;
    const ip = network === 'IP' || network === 'IP6' ? ENDPOINTS.exec(payload) : null;
    return compact(
      ip ? ipPacket(head, network, ip[1] as string, ip[2] as string, ip[3] as string, raw) : otherPacket(head, network, payload, raw),
    );
  }
  const ip = IP.exec(rest);
  if (ip) return compact(ipPacket(head, ip[1] as string, ip[2] as string, ip[3] as string, ip[4] as string, raw));
  const [, word = '', info = ''] = /^([^\s,]+),? ?(.*)$/.exec(rest) ?? [];
  return compact(otherPacket(head, word, info, raw));
}

function ipPacket(head: Partial<Packet>, network: string, src: string, dst: string, info: string, raw: string): Packet {
  const from = splitPort(src, network);
  const to = splitPort(dst, network);
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
  const icmp = /^ICMP6?,? (.*)$/.exec(info);
  const tcp = /^Flags \[([^\]]*)\]/.exec(info);
  if (icmp) {
    packet.proto = 'ICMP';
    packet.icmpType = (icmp[1] as string).split(', ')[0];
    packet.id = numberAfter(info, 'id');
    packet.seq = numberAfter(info, 'seq');
    packet.length = numberAfter(info, 'length');
  } else if (tcp) {
    packet.proto = 'TCP';
    packet.tcpFlags = tcp[1];
    // TCP prints options before the payload length: take the last `length N`.
    const lengths = [...info.matchAll(/\blength (\d+)/g)];
    const last = lengths[lengths.length - 1];
    packet.length = last ? Number(last[1]) : undefined;
  } else if (/^UDP\b/.test(info)) {
    packet.proto = 'UDP';
    packet.length = numberAfter(info, 'length');
  } else {
    packet.length = numberAfter(info, 'length');
  }
  return packet;
}

function otherPacket(head: Partial<Packet>, network: string, info: string, raw: string): Packet {
  return { ...head, time: head.time as string, network, proto: 'other', length: numberAfter(info, 'length'), raw };
}

/** `192.168.10.1.59426` → address and port; tcpdump appends the port with a dot. */
function splitPort(endpoint: string, network: string): { address: string; port?: number } {
  const m = network === 'IP' ? /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/.exec(endpoint) : /^(.*:.*?)(?:\.(\d+))?$/.exec(endpoint);
  if (!m) return { address: endpoint };
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
