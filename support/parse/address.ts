import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';

/** The family of a plain address as commands print it (dotted quad, or IPv6 text), else undefined. */
export function familyOf(address: string): Family | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 'ipv4';
  if (address.includes(':') && ipaddr.IPv6.isValid(address)) return 'ipv6';
  return undefined;
}

/** `a.b.c.d/n` or `x::y/n` with a prefix length that fits the family. */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return false;
  const family = familyOf(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (family === undefined || !/^\d{1,3}$/.test(lengthText)) return false;
  return Number(lengthText) <= (family === 'ipv4' ? 32 : 128);
}
