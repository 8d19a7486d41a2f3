/**
 * Whereabouts' allocation (v0.9.2, pkg/allocate/allocate.go IterateForAssignment): the lowest
 * address of the range that no pod holds and no `exclude` CIDR covers, never the range's network
 * or broadcast address. Whereabouts coordinates cluster-wide (its IPPool CRD), so "held" means
 * held by any pod on any node. The gateway is never handed out either: the lab refuses it even
 * where a NAD forgets to exclude it. Pure: addresses in, an address out.
 */
import { cidrContains, intToIp, parseCidr } from '../../net/cidr.ts';
import { parseRange } from '../../net/whereabouts-range.ts';

export interface AllocationRequest {
  range: string;
  exclude: readonly string[];
  gateway: string | undefined;
  /** Addresses already held in this range, by any pod of the cluster. */
  held: readonly string[];
}

export class RangeExhaustedError extends Error {}

/** The address Whereabouts hands out next, with the range's prefix: `10.10.20.100/24`. */
export function allocate(request: AllocationRequest): string {
  const range = parseRange(request.range);
  const excluded = request.exclude.map((cidr) => parseCidr(cidr, { loose: true }));
  const held = new Set(request.held);
  for (let address = range.first; address <= range.last; address++) {
    const ip = intToIp(address);
    if (held.has(ip) || ip === request.gateway || excluded.some((cidr) => cidrContains(cidr, ip))) continue;
    return `${ip}/${range.prefix}`;
  }
  throw new RangeExhaustedError(`whereabouts range ${request.range} has no free address`);
}
