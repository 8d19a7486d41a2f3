import { familyOf, isCidr } from './address.ts';
import { compact } from './compact.ts';
import { ParseError } from './errors.ts';
import { JsonFields, looksLikeJson, parseJsonArray, type JsonObject } from './json.ts';

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
    const words = readRouteWords(PARSER, line, lineNumber);
    if (words.uid !== undefined) throw new ParseError(PARSER, 'this is `ip route get` output, not a routing table', line, lineNumber);
    const { uid: _uid, ...route } = words;
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
/** Attributes iproute2 may print with one value that this model does not keep. */
const IGNORED = new Set([
  'from',
  'tos',
  'dsfield',
  'realm',
  'realms',
  'nhid',
  'expires',
  'error',
  'mark',
  'iif',
  'oif',
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
  'ttl-propagate',
]);

export interface RouteWords extends Route {
  /** Only in `ip route get` answers. */
  uid?: number;
}

/**
 * Reads one route line of `ip route` or `ip route get`: `[type] dst [via gw] dev d … [flags]`.
 * Unknown words are errors, so that a format change cannot pass unnoticed.
 */
export function readRouteWords(parser: string, line: string, lineNumber: number): RouteWords {
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
      route[word] = Number(value);
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

function gatewayFromJson(f: JsonFields, obj: JsonObject): string | undefined {
  const via = obj['via'];
  if (via !== null && typeof via === 'object' && !Array.isArray(via)) {
    return new JsonFields(PARSER, via as JsonObject).string('host'); // `via inet6 fe80::1` on an IPv4 route
  }
  return f.optString('gateway');
}

function routeFromJson(obj: JsonObject): Route {
  const f = new JsonFields(PARSER, obj);
  const dst = f.string('dst');
  if (dst !== 'default' && familyOf(dst) === undefined && !isCidr(dst)) {
    throw new ParseError(PARSER, `"${dst}" is not a route destination`, JSON.stringify(obj));
  }
  const nexthops = f.objects('nexthops')?.map((hop) => {
    const h = new JsonFields(PARSER, hop);
    return compact({ gateway: gatewayFromJson(h, hop), dev: h.optString('dev'), weight: h.optNumber('weight'), flags: h.strings('flags') });
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
    flags: f.strings('flags'),
    nexthops,
  });
  route.prefix = normalisePrefix(route);
  return route;
}
