/**
 * `tcpdump -n -A -r <file>` (and `-x`, hex): every packet's summary line, then its bytes as
 * ASCII (or hex) on the lines below. A line that starts with a timestamp is a summary and must
 * be one of the forms below; the lines under it are that packet's payload, whatever they hold.
 * Checked against tcpdump 4.99.3 with libpcap 1.10.3 (`-A` and `-x`, IPv4 TCP, UDP and ICMP).
 */
import { ParseError } from './errors.ts';

export interface DumpedPacket {
  /** `tcp`, `udp`, `icmp`, `arp`, `ip6` or `other` (another IPv4 protocol). */
  protocol: 'tcp' | 'udp' | 'icmp' | 'arp' | 'ip6' | 'other';
  src: string | undefined;
  srcPort: number | undefined;
  dst: string | undefined;
  dstPort: number | undefined;
  summary: string;
  /** The lines under the summary: the ASCII rendering (-A) or the hex dump (-x). */
  body: string[];
}

const TIMESTAMP = /^\d{2}:\d{2}:\d{2}\.\d{6} /;
const IPV4 = /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/;

function endpoint(text: string): { ip: string; port: number | undefined } | undefined {
  const match = IPV4.exec(text);
  return match ? { ip: match[1] as string, port: match[2] === undefined ? undefined : Number(match[2]) } : undefined;
}

function summaryOf(line: string, lineNumber: number): Omit<DumpedPacket, 'body'> {
  const rest = line.replace(TIMESTAMP, '');
  if (rest.startsWith('ARP,'))
    return { protocol: 'arp', src: undefined, srcPort: undefined, dst: undefined, dstPort: undefined, summary: rest };
  if (rest.startsWith('IP6 '))
    return { protocol: 'ip6', src: undefined, srcPort: undefined, dst: undefined, dstPort: undefined, summary: rest };
  const match = /^IP (\S+) > (\S+): (.*)$/.exec(rest);
  if (!match) throw new ParseError('parseTcpdumpDump', 'a summary line that is neither IP, IP6 nor ARP', line, lineNumber);
  const src = endpoint(match[1] as string);
  const dst = endpoint(match[2] as string);
  if (!src || !dst) throw new ParseError('parseTcpdumpDump', 'an IP summary without IPv4 ends', line, lineNumber);
  const what = match[3] as string;
  // With ports and no TCP flags it is UDP (tcpdump decodes DNS and VXLAN in place of "UDP, length").
  const protocol = what.startsWith('Flags [') ? 'tcp' : /^ICMP/.test(what) ? 'icmp' : src.port !== undefined ? 'udp' : 'other';
  return { protocol, src: src.ip, srcPort: src.port, dst: dst.ip, dstPort: dst.port, summary: rest };
}

export function parseTcpdumpDump(text: string): DumpedPacket[] {
  const packets: DumpedPacket[] = [];
  text.split('\n').forEach((line, index) => {
    if (TIMESTAMP.test(line)) {
      packets.push({ ...summaryOf(line, index + 1), body: [] });
      return;
    }
    if (line === '') return;
    const current = packets[packets.length - 1];
    if (!current) throw new ParseError('parseTcpdumpDump', 'payload before any packet', line, index + 1);
    current.body.push(line);
  });
  return packets;
}

/** The bytes of a packet from its `-x` hex lines (`\t0x0000:  4500 0054 ...`), from the IP header on. */
export function hexBytes(packet: DumpedPacket): Buffer {
  const hex = packet.body
    .map((line, index) => {
      const match = /^\s+0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4}\s?)+)$/.exec(line);
      if (!match) throw new ParseError('hexBytes', 'not a hex line of tcpdump -x', line, index + 1);
      return (match[1] as string).replace(/\s+/g, '');
    })
    .join('');
  return Buffer.from(hex, 'hex');
}
