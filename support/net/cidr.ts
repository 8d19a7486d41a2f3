/**
 * IPv4 address and CIDR arithmetic. Parsing and validation come from ipaddr.js;
 * what it lacks (addresses as integers, n-th address of a block, overlap) is here.
 */
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** The network address, as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
}

export function ipToInt(ip: string): number {
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) throw new Error(`not an IPv4 address: "${ip}"`);
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((acc, byte) => acc * 256 + byte, 0);
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; a bare address counts as /32. Host bits must be zero unless `loose`. */
export function parseCidr(text: string, { loose = false } = {}): Cidr {
  const withPrefix = text.includes('/') ? text : `${text}/32`;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    [address, prefix] = ipaddr.parseCIDR(withPrefix);
  } catch {
    throw new Error(`not a CIDR: "${text}" (expected e.g. 192.168.0.0/16)`);
  }
  if (address.kind() !== 'ipv4') throw new Error(`only IPv4 CIDRs are supported, got "${text}"`);
  const size = 2 ** (32 - prefix);
  const ip = ipToInt(address.toString());
  const base = ip - (ip % size);
  if (!loose && base !== ip) throw new Error(`"${text}" has host bits set; did you mean ${intToIp(base)}/${prefix}?`);
  return { base, prefix, size };
}

/**
 * An interface address with its prefix length (`172.18.0.2/16`, as `ip addr` and Calico's
 * projectcalico.org/IPv4Address / spec.bgp.ipv4Address write it): host bits are expected, so
 * this keeps the host address and gives its network beside it. A bare address counts as /32.
 */
export function parseInterfaceAddress(text: string): { address: string; network: Cidr } {
  const network = parseCidr(text, { loose: true });
  return { address: text.split('/')[0] as string, network };
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIp(cidr.base)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr | string, ip: string): boolean {
  const range = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const value = ipToInt(ip);
  return value >= range.base && value < range.base + range.size;
}

export function cidrsOverlap(a: Cidr | string, b: Cidr | string): boolean {
  const x = typeof a === 'string' ? parseCidr(a) : a;
  const y = typeof b === 'string' ? parseCidr(b) : b;
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

/** The n-th address of a block (0 is the network address). */
export function nthAddress(cidr: Cidr, n: number): string {
  if (n < 0 || n >= cidr.size) throw new Error(`address ${n} is outside ${formatCidr(cidr)}`);
  return intToIp(cidr.base + n);
}

/** The i-th sub-block of `prefix` inside `pool`. */
export function subBlock(pool: Cidr, prefix: number, index: number): Cidr {
  const size = 2 ** (32 - prefix);
  return { base: pool.base + index * size, prefix, size };
}

/**
 * Addresses read from a cluster may be IPv6 too (a dual-stack Calico has IPv6 blocks): these
 * two work for either family; the lab's own arithmetic above stays IPv4.
 */
export function containsAnyFamily(cidr: string, ip: string): boolean {
  try {
    const [range, prefix] = ipaddr.parseCIDR(cidr);
    const address = ipaddr.parse(ip);
    return address.kind() === range.kind() && address.match(range, prefix);
  } catch {
    return false;
  }
}

/** The address at `ordinal` in `cidr` (an IPAM block's allocation index), for either family. */
export function addressAtAnyFamily(cidr: string, ordinal: number): string {
  const [range, prefix] = ipaddr.parseCIDR(cidr);
  const bytes = range.toByteArray();
  const hostBits = BigInt(bytes.length * 8 - prefix);
  if (!Number.isInteger(ordinal) || ordinal < 0 || BigInt(ordinal) >= 1n << hostBits)
    throw new Error(`ordinal ${ordinal} is outside ${cidr}`);
  const network = (bytes.reduce((value, byte) => (value << 8n) + BigInt(byte), 0n) >> hostBits) << hostBits;
  const value = network + BigInt(ordinal);
  return ipaddr.fromByteArray(bytes.map((_, index) => Number((value >> BigInt(8 * (bytes.length - 1 - index))) & 255n))).toString();
}
