import { familyOf, isCidr } from './address.ts';
import { compact } from './compact.ts';
import { ParseError } from './errors.ts';
import { JsonFields, looksLikeJson, parseJsonArray, type JsonObject } from './json.ts';

/*
 * Checked against iproute2 6.1.0 (`ip -V`: iproute2-6.1.0): `ip route show`, `ip -d route`,
 * `ip -6 route`, `ip route show table all|<n>`, `ip route show match <ip>`, each with and without
 * `-j` (fixtures netns-h24c-ip-*route*), IPv4 and IPv6, multipath, blackhole/unreachable/prohibit,
 * local/broadcast/multicast. The grammar is iproute.c's print_route: `[type] dst [from src] [tos]
 * [encap …] [via gw] [dev d] [table t] [proto p] [scope s] [src a] [metric n] [flags] [metrics]
 * [pref p]`, then one `nexthop` line per path. A word that changes which packets a route carries
 * and that this model does not keep (a source prefix `from`, `tos`, `encap`) is refused, not dropped.
 */
const PARSER = 'parseIpRoutes';

export interface Nexthop {
  gateway?: string;
  dev?: string;
  weight?: number;
  flags: string[];
}

export interface Route {
  /** As printed: `default`, `192.168.93.0/26`, or a bare `169.254.1.1`. */
  dst: string;
  /** `dst` as a CIDR: `0.0.0.0/0` (`::/0`), `169.254.1.1/32`, `192.168.93.0/26`. */
  prefix: string;
  /** `unicast` unless printed: `blackhole`, `unreachable`, `prohibit`, `local`, … */
  type: string;
  gateway?: string;
  dev?: string;
  table?: string;
  proto?: string;
  scope?: string;
  src?: string;
  metric?: number;
  /** IPv6 router preference (`pref medium`). */
  pref?: string;
  /** Next-hop flags such as `onlink`, `linkdown`. */
  flags: string[];
  /** ECMP routes: one entry per `nexthop` line. */
  nexthops?: Nexthop[];
}

/** Parses `ip route` text or `ip -j route` JSON. An empty table is valid and gives []. */
export function parseIpRoutes(text: string): Route[] {
  if (text.trim() === '') return [];
  return looksLikeJson(text) ? parseJsonArray(PARSER, text).map(routeFromJson) : fromText(text);
}

/** Prints a route the way `ip route` does (without its trailing space), for messages. */
export function formatRoute(route: Route): string {
  const words: (string | number | undefined)[] = [
    route.type === 'unicast' ? undefined : route.type,
    route.dst,
    ...(route.gateway === undefined ? [] : ['via', route.gateway]),
    ...optional('dev', route.dev),
    ...optional('table', route.table),
    ...optional('proto', route.proto),
    ...optional('scope', route.scope),
    ...optional('src', route.src),
    ...optional('metric', route.metric),
    ...route.flags,
    ...optional('pref', route.pref),
  ];
  const hops = (route.nexthops ?? []).map((hop) =>
    ['\tnexthop', ...optional('via', hop.gateway), ...optional('dev', hop.dev), ...optional('weight', hop.weight), ...hop.flags].join(' '),
  );
  return [words.filter((w) => w !== undefined).join(' '), ...hops].join('\n');
}

function optional(key: string, value: string | number | undefined): (string | number)[] {
  return value === undefined ? [] : [key, value];
}

// ---- text ----------------------------------------------------------------------------------

function fromText(text: string): Route[] {
  const routes: Route[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '') return;
    const lineNumber = i + 1;
    const last = routes[routes.length - 1];
    if (/^\s+nexthop\s/.test(line)) {
      if (!last) throw new ParseError(PARSER, '"nexthop" line before any route', line, lineNumber);
      last.nexthops = [...(last.nexthops ?? []), nexthopFromText(line, lineNumber)];
      last.prefix = normalisePrefix(last);
      return;
    }
    if (/^\s/.test(line)) throw new ParseError(PARSER, 'unexpected indented line', line, lineNumber);
    const { uid: _uid, ...route } = readRouteWords(PARSER, line, lineNumber);
    routes.push(route);
  });
  return routes;
}

function nexthopFromText(line: string, lineNumber: number): Nexthop {
  const words = line.trim().split(/\s+/).slice(1);
  const hop: Nexthop = { flags: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (FLAGS.has(word)) {
      hop.flags.push(word);
      continue;
    }
    let value = words[++i];
    if (word === 'via' && (value === 'inet' || value === 'inet6')) value = words[++i];
    if (value === undefined || !['via', 'dev', 'weight'].includes(word)) {
      throw new ParseError(PARSER, `unknown nexthop word "${word}"`, line, lineNumber);
    }
    if (word === 'via') hop.gateway = value;
    else if (word === 'dev') hop.dev = value;
    else hop.weight = Number(value);
  }
  return compact(hop);
}

const TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
]);
const FLAGS = new Set([
  'onlink',
  'linkdown',
  'pervasive',
  'offload',
  'trap',
  'dead',
  'notify',
  'unresolved',
  'rt_offload',
  'rt_trap',
  'rt_offload_failed',
]);
/**
 * Attributes iproute2 prints with one value that do not change which packets take the route or
 * where they go (realms, the nexthop object's id beside its resolved gateway, expiry, the error
 * of an unreachable route, the per-route TCP metrics), so this model does not keep them.
 */
const IGNORED = new Set([
  'realm',
  'realms',
  'nhid',
  'expires',
  'error',
  'hoplimit',
  'mtu',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'window',
  'cwnd',
  'ssthresh',
  'initcwnd',
  'initrwnd',
  'quickack',
  'features',
  'congctl',
  'fastopen_no_cookie',
  'rto_min',
  'ttl-propagate',
]);
/** Only in `ip route get` answers: the lookup's own inputs (`from`, `iif`, `oif`, `mark`) and `uid`. */
const LOOKUP_ONLY = new Set(['from', 'iif', 'oif', 'mark', 'uid']);

export interface RouteWords extends Route {
  /** Only in `ip route get` answers. */
  uid?: number;
}

/**
 * Reads one route line of `ip route` or `ip route get`: `[type] dst [via gw] dev d … [flags]`.
 * Unknown words are errors, so that a format change cannot pass unnoticed.
 */
export function readRouteWords(parser: string, line: string, lineNumber: number, lookup = false): RouteWords {
  const words = line.trim().split(/\s+/);
  let i = 0;
  const type = TYPES.has(words[0] as string) && words.length > 1 ? (words[i++] as string) : 'unicast';
  const dst = words[i++] as string;
  if (dst !== 'default' && familyOf(dst) === undefined && !isCidr(dst)) {
    throw new ParseError(parser, `"${dst}" is not a route destination`, line, lineNumber);
  }
  const route: RouteWords = { dst, prefix: '', type, flags: [] };
  for (; i < words.length; i++) {
    const word = words[i] as string;
    if (FLAGS.has(word)) {
      route.flags.push(word);
      continue;
    }
    let value = words[++i];
    if (word === 'via' && (value === 'inet' || value === 'inet6')) value = words[++i];
    if (value === 'lock') value = words[++i]; // `mtu lock 1400`
    if (value === undefined) throw new ParseError(parser, `"${word}" without a value`, line, lineNumber);
    if (word === 'via') route.gateway = value;
    else if (word === 'dev') route.dev = value;
    else if (word === 'table') route.table = value;
    else if (word === 'proto') route.proto = value;
    else if (word === 'scope') route.scope = value;
    else if (word === 'src') route.src = value;
    else if (word === 'pref') route.pref = value;
    else if (word === 'metric' || word === 'uid') {
      if (!/^\d+$/.test(value)) throw new ParseError(parser, `${word} "${value}" is not a number`, line, lineNumber);
      if (word === 'uid' && !lookup) throw new ParseError(parser, 'this is `ip route get` output, not a routing table', line, lineNumber);
      route[word] = Number(value);
    } else if (LOOKUP_ONLY.has(word)) {
      if (!lookup) {
        const why =
          word === 'from'
            ? 'a source-specific route ("from"), which this reading does not model'
            : `"${word}" is printed by \`ip route get\` only`;
        throw new ParseError(parser, why, line, lineNumber);
      }
    } else if (!IGNORED.has(word)) {
      throw new ParseError(parser, `unknown word "${word}"`, line, lineNumber);
    }
  }
  route.prefix = normalisePrefix(route);
  return compact(route);
}

/**
 * A bare address becomes a host prefix. `default` has no family of its own: it is IPv6 when
 * the route carries an IPv6 gateway or source, or a `pref` (printed for IPv6 routes only).
 */
function normalisePrefix(route: Omit<Route, 'prefix'>): string {
  if (route.dst === 'default') {
    const hint = route.gateway ?? route.src ?? route.nexthops?.[0]?.gateway;
    const ipv6 = (hint !== undefined && familyOf(hint) === 'ipv6') || route.pref !== undefined;
    return ipv6 ? '::/0' : '0.0.0.0/0';
  }
  if (route.dst.includes('/')) return route.dst;
  return `${route.dst}/${familyOf(route.dst) === 'ipv6' ? 128 : 32}`;
}

// ---- JSON ----------------------------------------------------------------------------------

export function gatewayFromJson(f: JsonFields, obj: JsonObject, parser = PARSER): string | undefined {
  const via = obj['via'];
  if (via !== null && typeof via === 'object' && !Array.isArray(via)) {
    return new JsonFields(parser, via as JsonObject).string('host'); // `via inet6 fe80::1` on an IPv4 route
  }
  return f.optString('gateway');
}

/** Keys `ip -j route show` prints (iproute.c print_route) that this model reads or may ignore. */
const JSON_ROUTE_KEYS = new Set([
  'type',
  'dst',
  'gateway',
  'via',
  'dev',
  'table',
  'protocol',
  'scope',
  'prefsrc',
  'metric',
  'pref',
  'flags',
  'nexthops',
  'metrics',
  'nhid',
  'expires',
  'error',
  'realms',
  'flow_from',
  'flow_to',
  'ttl-propagate',
]);
const JSON_NEXTHOP_KEYS = new Set(['gateway', 'via', 'dev', 'weight', 'flags', 'realms', 'flow_from', 'flow_to']);

/** A key this reading does not know (`from`: a source-specific route; `encap`, `tos`; `uid`, `cache`: a lookup) is refused. */
/** Flags outside iproute2's list (print_rt_flags) are refused like unknown words. */
export function knownFlags(parser: string, flags: string[], obj: JsonObject): string[] {
  const unknown = flags.filter((flag) => !FLAGS.has(flag));
  if (unknown.length > 0) throw new ParseError(parser, `unknown flag ${unknown.map((f) => `"${f}"`).join(', ')}`, JSON.stringify(obj));
  return flags;
}

export function checkJsonKeys(parser: string, obj: JsonObject, known: Set<string>, what: string): void {
  const unknown = Object.keys(obj).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ParseError(
      parser,
      `${what} with ${unknown.map((k) => `"${k}"`).join(', ')}, which this reading does not know`,
      JSON.stringify(obj),
    );
  }
}

function routeFromJson(obj: JsonObject): Route {
  checkJsonKeys(PARSER, obj, JSON_ROUTE_KEYS, 'a route');
  const f = new JsonFields(PARSER, obj);
  const dst = f.string('dst');
  if (dst !== 'default' && familyOf(dst) === undefined && !isCidr(dst)) {
    throw new ParseError(PARSER, `"${dst}" is not a route destination`, JSON.stringify(obj));
  }
  const nexthops = f.objects('nexthops')?.map((hop) => {
    checkJsonKeys(PARSER, hop, JSON_NEXTHOP_KEYS, 'a next hop');
    const h = new JsonFields(PARSER, hop);
    return compact({
      gateway: gatewayFromJson(h, hop),
      dev: h.optString('dev'),
      weight: h.optNumber('weight'),
      flags: knownFlags(PARSER, h.strings('flags'), hop),
    });
  });
  const route = compact({
    dst,
    prefix: '',
    type: f.optString('type') ?? 'unicast',
    gateway: gatewayFromJson(f, obj),
    dev: f.optString('dev'),
    table: f.optString('table'),
    proto: f.optString('protocol'),
    scope: f.optString('scope'),
    src: f.optString('prefsrc'),
    metric: f.optNumber('metric'),
    pref: f.optString('pref'),
    flags: knownFlags(PARSER, f.strings('flags'), obj),
    nexthops,
  });
  route.prefix = normalisePrefix(route);
  return route;
}
