/** Whereabouts' `range` notation: `<first>-<last>/<prefix>` or a CIDR, as first and last usable address. */
import { cidrContains, ipToInt, parseCidr } from './cidr.ts';

export interface AddressRange {
  first: number;
  last: number;
  prefix: number;
}

export function parseRange(range: string): AddressRange {
  const dashed = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(range);
  if (dashed) {
    const prefix = Number(dashed[3]);
    const network = parseCidr(`${dashed[1]}/${prefix}`, { loose: true });
    const first = ipToInt(dashed[1] as string);
    const last = ipToInt(dashed[2] as string);
    if (last < first || !cidrContains(network, dashed[2] as string))
      throw new Error(`whereabouts range "${range}": the last address must follow the first inside the /${prefix}`);
    return { first: Math.max(first, network.base + 1), last: Math.min(last, network.base + network.size - 2), prefix };
  }
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(range))
    throw new Error(`"${range}" is not a whereabouts range (<first>-<last>/<prefix> or a CIDR)`);
  const cidr = parseCidr(range, { loose: true });
  return { first: cidr.base + 1, last: cidr.base + cidr.size - 2, prefix: cidr.prefix };
}

export function inRange(range: AddressRange, ip: string): boolean {
  const value = ipToInt(ip);
  return value >= range.first && value <= range.last;
}
