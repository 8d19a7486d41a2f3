/**
 * FRR's JSON answers (vtysh -c '… json'), FRR 8.x field names: BGP summary, a neighbour's
 * routes, one prefix's paths with their communities, and zebra's routing table.
 *
 * Checked against FRR 8.4.4 (zebra, bgpd, staticd) with an IPv4 and an IPv6 eBGP session to
 * BIRD 2.0.12, a route-map setting a next hop that resolves recursively through a static route:
 * `show bgp summary json` and `show ip bgp summary json` (one wrapper per address family),
 * `show bgp ipv4|ipv6 unicast summary json` (no wrapper: refused, it names no family),
 * `show bgp vrf all summary json` (VRF names first: refused), `show bgp ipv4|ipv6 json`,
 * `show bgp ipv4 <prefix> json`, `… neighbors <ip> routes|advertised-routes json`,
 * `show bgp neighbors json`, `show ip route json` and `show ipv6 route json` (a recursive next hop
 * is followed by the next hops that resolve it, marked `resolver`: one path, not several). An
 * object of another shape is an error, never read as "nothing there".
 */
import { ParseError } from './errors.ts';
import { parseJsonObject } from './json.ts';

type Json = Record<string, any>;

/** FRR's JSON: one object (typed loosely; every reader below checks the fields it takes). */
const parseObject = (parser: string, text: string): Json => parseJsonObject(parser, text) as Json;

export interface FrrBgpPeer {
  address: string;
  remoteAs: number;
  localAs: number;
  version: number;
  state: string;
  /** Prefixes received from the peer and accepted (FRR's pfxRcd; cEOS's PfxRcd/PfxAcc). */
  prefixesReceived: number;
  prefixesSent: number;
  dynamic: boolean;
  description: string | undefined;
}

export interface FrrBgpSummary {
  routerId: string | undefined;
  localAs: number | undefined;
  peers: FrrBgpPeer[];
}

const SUMMARY = 'frr show bgp summary json';
/** The per-family keys of `show bgp summary json` (bgp_show_summary_afi_safi's get_afi_safi_json_str). */
const FAMILY_KEY = /^(ipv4|ipv6|l2Vpn)(Unicast|Multicast|Vpn|LabeledUnicast|Flowspec|Evpn)$/;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `show bgp summary json`: the ipv4Unicast family's router ID, AS and peers. An FRR with no
 * neighbour at all prints `{}`; an FRR whose peers are all of another family has no ipv4Unicast.
 */
export function parseFrrBgpSummary(text: string): FrrBgpSummary {
  const root = parseObject(SUMMARY, text);
  for (const key of Object.keys(root)) {
    if (key === 'routerId' || key === 'peers')
      throw new ParseError(SUMMARY, 'the summary of one address family (no per-family wrapper): ask "show bgp summary json"', text);
    if (!FAMILY_KEY.test(key)) throw new ParseError(SUMMARY, `"${key}" is not an address family (a VRF? ask the default VRF)`, text);
    if (!isObject(root[key])) throw new ParseError(SUMMARY, `family ${key} is not an object`, text);
  }
  const ipv4 = root.ipv4Unicast as Json | undefined;
  if (ipv4 === undefined) return { routerId: undefined, localAs: undefined, peers: [] };
  if (typeof ipv4.routerId !== 'string' || typeof ipv4.as !== 'number' || !isObject(ipv4.peers))
    throw new ParseError(SUMMARY, 'ipv4Unicast without a string routerId, a numeric as and a peers object', text);
  const number = (address: string, peer: Json, key: string, fallback?: number): number => {
    const value = peer[key] ?? fallback;
    if (typeof value !== 'number') throw new ParseError(SUMMARY, `peer ${address}: "${key}" is not a number`, JSON.stringify(peer));
    return value;
  };
  return {
    routerId: ipv4.routerId,
    localAs: ipv4.as,
    peers: Object.entries(ipv4.peers as Json).map(([address, peer]: [string, Json]) => {
      if (!isObject(peer) || typeof peer.state !== 'string') throw new ParseError(SUMMARY, `peer ${address} has no state`, text);
      if (peer.desc !== undefined && typeof peer.desc !== 'string')
        throw new ParseError(SUMMARY, `peer ${address}: "desc" is not a string`, text);
      return {
        address,
        remoteAs: number(address, peer, 'remoteAs'),
        localAs: number(address, peer, 'localAs'),
        version: number(address, peer, 'version'),
        state: peer.state,
        prefixesReceived: number(address, peer, 'pfxRcd', 0),
        prefixesSent: number(address, peer, 'pfxSnt', 0),
        dynamic: peer.dynamicPeer === true,
        description: peer.desc,
      };
    }),
  };
}

export interface FrrBgpRoute {
  prefix: string;
  /** The path's next hops; for IPv6 the global one (the link-local one is in linkLocalNextHop). */
  nextHops: string[];
  linkLocalNextHop?: string;
  asPath: string;
  best: boolean;
  multipath: boolean;
  /** The neighbour it was learned from, or "(unspec)" for a local network statement. */
  peer: string;
}

const PREFIX_KEY = /^[0-9a-fA-F.:]+\/\d+$/;

/** A path's `nexthops`: `{ip, afi, scope?}` each; IPv6 paths add the link-local one with scope link-local. */
function pathNextHops(parser: string, path: Json): { nextHops: string[]; linkLocal?: string } {
  const hops = path.nexthops ?? [];
  if (!Array.isArray(hops)) throw new ParseError(parser, '"nexthops" is not a list', JSON.stringify(path));
  const nextHops: string[] = [];
  let linkLocal: string | undefined;
  for (const hop of hops as unknown[]) {
    if (!isObject(hop) || typeof hop.ip !== 'string') throw new ParseError(parser, 'a next hop without an "ip"', JSON.stringify(path));
    if (hop.scope === 'link-local') linkLocal = hop.ip;
    else if (hop.scope === undefined || hop.scope === 'global') nextHops.push(hop.ip);
    else throw new ParseError(parser, `a next hop of scope ${String(hop.scope)}`, JSON.stringify(path));
  }
  return linkLocal === undefined ? { nextHops } : { nextHops, linkLocal };
}

/** `show bgp ipv4 json` and `show bgp ipv4 neighbors <ip> routes json`: every path of every prefix. */
export function parseFrrBgpRoutes(text: string): FrrBgpRoute[] {
  const parser = 'frr show bgp routes json';
  const root = parseObject(parser, text);
  if (root.warning) throw new ParseError(parser, String(root.warning), text);
  if (!isObject(root.routes)) throw new ParseError(parser, 'no "routes" object (another command\'s JSON?)', text);
  return Object.entries(root.routes).flatMap(([prefix, paths]) => {
    if (!PREFIX_KEY.test(prefix) || !Array.isArray(paths))
      throw new ParseError(parser, `routes.${prefix} is not a prefix's list of paths`, text);
    return (paths as Json[]).map((path) => {
      const { nextHops, linkLocal } = pathNextHops(parser, path);
      // Every path prints its AS path ("" when originated here) and its peer ("(unspec)" when local).
      if (typeof path.path !== 'string' || typeof path.peerId !== 'string')
        throw new ParseError(parser, `a path of ${prefix} without "path" or "peerId" (another FRR's form?)`, JSON.stringify(path));
      return {
        prefix,
        nextHops,
        ...(linkLocal ? { linkLocalNextHop: linkLocal } : {}),
        asPath: path.path,
        best: path.bestpath === true,
        multipath: path.multipath === true,
        peer: path.peerId,
      };
    });
  });
}

/** `show bgp ipv4 neighbors <ip> advertised-routes json`: the prefixes sent to that neighbour. */
export function parseFrrAdvertisedRoutes(text: string): string[] {
  const root = parseObject('frr advertised-routes json', text);
  if (root.warning) throw new ParseError('frr advertised-routes json', String(root.warning), text);
  if (!isObject(root.advertisedRoutes)) throw new ParseError('frr advertised-routes json', 'no "advertisedRoutes" object', text);
  return Object.keys(root.advertisedRoutes);
}

export interface FrrPrefixPath {
  peer: string;
  nextHops: string[];
  communities: string[];
  internal: boolean;
}

/** `show bgp ipv4 <prefix> json`: each path with its communities (an unknown prefix prints `{}`). */
export function parseFrrPrefixPaths(text: string): FrrPrefixPath[] {
  const parser = 'frr show bgp prefix json';
  const root = parseObject(parser, text);
  if (Object.keys(root).length === 0) return [];
  if (typeof root.prefix !== 'string' || !Array.isArray(root.paths))
    throw new ParseError(parser, 'expected "prefix" and a "paths" list', text);
  return (root.paths as Json[]).map((path) => {
    if (typeof path.peer?.peerId !== 'string')
      throw new ParseError(parser, `a path of ${root.prefix} without "peer.peerId"`, JSON.stringify(path));
    return {
      peer: path.peer.peerId,
      nextHops: pathNextHops(parser, path).nextHops,
      // Standard communities (aa:nn) and large ones (aa:nn:mm) alike: a BGPConfiguration may give either.
      communities: [...communityList(parser, path, 'community'), ...communityList(parser, path, 'largeCommunity')],
      internal: path.peer.type === 'internal',
    };
  });
}

/** A path's `community` or `largeCommunity` as FRR prints it: absent, or `{string, list}`. */
function communityList(parser: string, path: Json, key: 'community' | 'largeCommunity'): string[] {
  const value = path[key];
  if (value === undefined) return [];
  if (!isObject(value) || !Array.isArray(value.list) || !value.list.every((item: unknown) => typeof item === 'string'))
    throw new ParseError(parser, `"${key}" without a list of strings`, JSON.stringify(value));
  return value.list as string[];
}

export interface FrrRibRoute {
  prefix: string;
  protocol: string;
  selected: boolean;
  installed: boolean;
  distance: number;
  /**
   * The route's own next-hop addresses, one per path (directly connected ones have none). A
   * recursive next hop counts once; the next hops that resolve it are in `resolvedVia`.
   */
  nextHops: string[];
  /** Addresses of the next hops marked `resolver`: where a recursive next hop's packets go. */
  resolvedVia: string[];
}

/** zebra's `show ip route json` and `show ipv6 route json`: prefix → its routes. */
export function parseFrrIpRoutes(text: string): FrrRibRoute[] {
  const parser = 'frr show ip route json';
  const root = parseObject(parser, text);
  return Object.entries(root).flatMap(([prefix, entries]) => {
    if (!PREFIX_KEY.test(prefix)) throw new ParseError(parser, `"${prefix}" is not a prefix (show ip route vrf all json?)`, text);
    if (!Array.isArray(entries)) throw new ParseError(parser, `prefix ${prefix} is not a list`, text);
    return (entries as Json[]).map((entry) => {
      if (typeof entry.protocol !== 'string' || !Array.isArray(entry.nexthops ?? []))
        throw new ParseError(parser, `a route of ${prefix} without a protocol or with nexthops that are not a list`, JSON.stringify(entry));
      // A directly connected next hop has an interface and no address; one zebra marks inactive carries nothing.
      const hops = ((entry.nexthops ?? []) as Json[]).filter((hop) => hop.ip && hop.active !== false);
      return {
        prefix,
        protocol: entry.protocol,
        selected: entry.selected === true,
        installed: entry.installed === true,
        distance: Number(entry.distance ?? 0),
        nextHops: hops.filter((hop) => hop.resolver !== true).map((hop) => String(hop.ip)),
        resolvedVia: hops.filter((hop) => hop.resolver === true).map((hop) => String(hop.ip)),
      };
    });
  });
}

export interface FrrNeighbor {
  address: string;
  state: string;
  remoteAs: number;
  /** The initial exchange is over in both directions: End-of-RIB sent and received (ipv4 unicast). */
  endOfRibSent: boolean;
  endOfRibReceived: boolean;
}

/** `show bgp neighbors json`: every neighbour's state and End-of-RIB markers. */
export function parseFrrNeighbors(text: string): FrrNeighbor[] {
  const root = parseObject('frr show bgp neighbors json', text);
  return Object.entries(root).map(([address, neighbor]: [string, Json]) => {
    if (!isObject(neighbor)) throw new ParseError('frr show bgp neighbors json', `"${address}" is not a neighbour object`, text);
    if (typeof neighbor.bgpState !== 'string')
      throw new ParseError('frr show bgp neighbors json', `neighbour ${address} has no bgpState`, text);
    if (!Number.isInteger(neighbor.remoteAs))
      throw new ParseError(
        'frr show bgp neighbors json',
        `neighbour ${address}'s remoteAs is not an AS number`,
        JSON.stringify(neighbor.remoteAs),
      );
    const restart = (neighbor.gracefulRestartInfo ?? {}) as Json;
    return {
      address,
      state: neighbor.bgpState,
      remoteAs: neighbor.remoteAs as number,
      endOfRibSent: restart.endOfRibSend?.ipv4Unicast === true,
      endOfRibReceived: restart.endOfRibRecv?.ipv4Unicast === true,
    };
  });
}
