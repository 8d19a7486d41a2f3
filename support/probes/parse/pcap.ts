import { ParseError } from './errors.ts';

/** pcap's magic number, as the first four bytes read: microsecond and nanosecond files, either byte order. */
const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1];

/** The bytes of a pcap file from `base64 <file>` output; anything that is not a pcap file is an error. */
export function parsePcapBase64(text: string): Buffer {
  const compactText = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compactText)) throw new ParseError('parsePcapBase64', 'not base64', text);
  const bytes = Buffer.from(compactText, 'base64');
  if (bytes.length < 24 || !PCAP_MAGICS.includes(bytes.readUInt32BE(0)))
    throw new ParseError('parsePcapBase64', 'not a pcap file (no pcap header)', text.slice(0, 80));
  return bytes;
}
