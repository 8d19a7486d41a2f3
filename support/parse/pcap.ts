/**
 * A capture file fetched as text: `base64 <file>` (GNU coreutils 9.1, 76-character lines) of a
 * pcap that tcpdump 4.99.3 with libpcap 1.10.3 wrote (`-w`, microsecond or nanosecond, either
 * byte order). Anything that is not base64, or not a pcap once decoded, is an error.
 */
import { ParseError } from './errors.ts';

/** pcap's magic number, as the first four bytes read: microsecond and nanosecond files, either byte order. */
const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1];

/** The bytes `base64 <file>` printed (GNU coreutils: lines of 76 characters); anything that is not base64 is an error. */
export function parseBase64(text: string): Buffer {
  const compactText = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compactText) || compactText.length % 4 !== 0) throw new ParseError('parseBase64', 'not base64', text);
  return Buffer.from(compactText, 'base64');
}

/** The bytes of a pcap file, checked to be one: anything without a pcap header is an error. */
export function checkedPcap(bytes: Buffer): Buffer {
  if (bytes.length < 24 || !PCAP_MAGICS.includes(bytes.readUInt32BE(0)))
    throw new ParseError('checkedPcap', 'not a pcap file (no pcap header)', bytes.subarray(0, 60).toString('latin1'));
  return bytes;
}

/** The bytes of a pcap file from `base64 <file>` output; anything that is not a pcap file is an error. */
export function parsePcapBase64(text: string): Buffer {
  return checkedPcap(parseBase64(text));
}
