/**
 * FRR's JSON answers (vtysh -c '… json'), FRR 8.x field names: BGP summary, a neighbour's
 * routes, one prefix's paths with their communities, and zebra's routing table.
 */
import { ParseError } from './errors.ts';

type Json = Record<string, any>;

function parseObject(parser: string, text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(parser, `invalid JSON (${(error as Error).message})`, text);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ParseError(parser, 'expected a JSON object', text);
  return value as Json;
}

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

/** `show bgp summary json` (ipv4 unicast). An FRR with no neighbour at all prints `{}`. */
export function parseFrrBgpSummary(text: string): FrrBgpSummary {
  const root = parseObject('frr show bgp summary json', text);
  const ipv4 = (root.ipv4Unicast ?? {}) as Json;
  const peers = (ipv4.peers ?? {}) as Json;
  return {
    routerId: ipv4.routerId,
    localAs: ipv4.as,
    peers: Object.entries(peers).map(([address, peer]: [string, Json]) => {
      if (typeof peer.state !== 'string') throw new ParseError('frr show bgp summary json', `peer ${address} has no state`, text);
      return {
        address,
        remoteAs: Number(peer.remoteAs),
        localAs: Number(peer.localAs),
        version: Number(peer.version),
        state: peer.state,
        prefixesReceived: Number(peer.pfxRcd ?? 0),
        prefixesSent: Number(peer.pfxSnt ?? 0),
        dynamic: peer.dynamicPeer === true,
        description: peer.desc,
      };
    }),
  };
}

export interface FrrBgpRoute {
  prefix: string;
  nextHops: string[];
  asPath: string;
  best: boolean;
  multipath: boolean;
  /** The neighbour it was learned from, or "(unspec)" for a local network statement. */
  peer: string;
}

/** `show bgp ipv4 json` and `show bgp ipv4 neighbors <ip> routes json`: every path of every prefix. */
export function parseFrrBgpRoutes(text: string): FrrBgpRoute[] {
  const root = parseObject('frr show bgp routes json', text);
  if (root.warning) throw new ParseError('frr show bgp routes json', String(root.warning), text);
  const routes = (root.routes ?? {}) as Record<string, Json[]>;
  return Object.entries(routes).flatMap(([prefix, paths]) =>
    paths.map((path) => ({
      prefix,
      nextHops: ((path.nexthops as Json[] | undefined) ?? []).map((hop) => String(hop.ip)),
      asPath: String(path.path ?? ''),
      best: path.bestpath === true,
      multipath: path.multipath === true,
      peer: String(path.peerId ?? ''),
    })),
  );
}

/** `show bgp ipv4 neighbors <ip> advertised-routes json`: the prefixes sent to that neighbour. */
export function parseFrrAdvertisedRoutes(text: string): string[] {
  const root = parseObject('frr advertised-routes json', text);
  if (root.warning) throw new ParseError('frr advertised-routes json', String(root.warning), text);
  return Object.keys((root.advertisedRoutes ?? {}) as Json);
}

export interface FrrPrefixPath {
  peer: string;
  nextHops: string[];
  communities: string[];
  internal: boolean;
}

/** `show bgp ipv4 <prefix> json`: each path with its communities (an unknown prefix prints `{}`). */
export function parseFrrPrefixPaths(text: string): FrrPrefixPath[] {
  const root = parseObject('frr show bgp prefix json', text);
  return ((root.paths as Json[] | undefined) ?? []).map((path) => ({
    peer: String(path.peer?.peerId ?? ''),
    nextHops: ((path.nexthops as Json[] | undefined) ?? []).map((hop) => String(hop.ip)),
    communities: ((path.community?.list as unknown[] | undefined) ?? []).map(String),
    internal: path.peer?.type === 'internal',
  }));
}

export interface FrrRibRoute {
  prefix: string;
  protocol: string;
  selected: boolean;
  installed: boolean;
  distance: number;
  /** Next-hop addresses of the installed route (directly connected ones have none). */
  nextHops: string[];
}

/** zebra's `show ip route json`. */
export function parseFrrIpRoutes(text: string): FrrRibRoute[] {
  const root = parseObject('frr show ip route json', text);
  return Object.entries(root).flatMap(([prefix, entries]) => {
    if (!Array.isArray(entries)) throw new ParseError('frr show ip route json', `prefix ${prefix} is not a list`, text);
    return (entries as Json[]).map((entry) => ({
      prefix,
      protocol: String(entry.protocol),
      selected: entry.selected === true,
      installed: entry.installed === true,
      distance: Number(entry.distance ?? 0),
      nextHops: ((entry.nexthops as Json[] | undefined) ?? []).filter((hop) => hop.ip && hop.active !== false).map((hop) => String(hop.ip)),
    }));
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
    if (typeof neighbor.bgpState !== 'string')
      throw new ParseError('frr show bgp neighbors json', `neighbour ${address} has no bgpState`, text);
    const restart = (neighbor.gracefulRestartInfo ?? {}) as Json;
    return {
      address,
      state: neighbor.bgpState,
      remoteAs: Number(neighbor.remoteAs),
      endOfRibSent: restart.endOfRibSend?.ipv4Unicast === true,
      endOfRibReceived: restart.endOfRibRecv?.ipv4Unicast === true,
    };
  });
}
