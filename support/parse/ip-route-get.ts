import { compact } from './compact.ts';
import { ParseError } from './errors.ts';
import { checkJsonKeys, gatewayFromJson, knownFlags, readRouteWords } from './ip-route.ts';
import { JsonFields, looksLikeJson, parseJsonArray, type JsonObject } from './json.ts';

/*
 * Checked against iproute2 6.1.0 (`ip -V`: iproute2-6.1.0): `ip route get <ip>` with and without
 * `-j` and `-d`, with `from <ip>`, `iif <dev>` (a forwarding namespace), `mark <n>` (a rule to
 * another table), `fibmatch`, IPv4 and IPv6 (fixtures netns-h24c-ip-*route-get*). The answer is
 * one route line (iproute.c print_route with the lookup's `from`/`iif`/`mark`/`uid`), then for
 * IPv4 an indented `cache` line: `cache [<flags>] [expires Nsec] [error N] [users N] [age Nsec]
 * [ipid 0x…] [mtu [lock] N] [metrics…] [iif dev]`. Anything else is refused with its line.
 */
const PARSER = 'parseIpRouteGet';

/** The kernel's answer to `ip route get <dst>`: where a packet to dst would leave. */
export interface RouteLookup {
  dst: string;
  /** `unicast`, or `local` when dst is one of the namespace's own addresses. */
  type: string;
  gateway?: string;
  dev: string;
  src?: string;
  uid?: number;
  /** A path MTU the kernel learnt and caches for this destination (`cache expires 599sec mtu 1500`). */
  mtu?: number;
}

/** Parses `ip route get X` text (a route line plus `cache` lines) or `ip -j route get X`. */
export function parseIpRouteGet(text: string): RouteLookup {
  if (text.trim() === '') throw new ParseError(PARSER, 'empty output', text);
  return looksLikeJson(text) ? fromJson(text) : fromText(text);
}

function fromText(text: string): RouteLookup {
  const lines = text.split('\n').map((l) => l.trimEnd());
  const first = lines.findIndex((l) => l.trim() !== '');
  const line = lines[first] as string;
  if (/^\s/.test(line)) throw new ParseError(PARSER, 'output starts with an indented line (truncated?)', line, first + 1);
  // RTNETLINK errors ("No route to host") arrive here when stderr is merged: not a lookup result.
  if (/^RTNETLINK answers:|^Error:/.test(line)) throw new ParseError(PARSER, 'the lookup failed', line, first + 1);
  let cached: number | undefined;
  lines.slice(first + 1).forEach((rest, i) => {
    if (rest.trim() === '') return;
    if (!/^\s+cache\b/.test(rest)) {
      throw new ParseError(PARSER, 'expected one route line followed by "cache" lines', rest, first + i + 2);
    }
    const mtu = cacheMtu(rest, first + i + 2);
    if (mtu !== undefined) cached = mtu;
  });
  const words = readRouteWords(PARSER, line, first + 1, true);
  if (words.dev === undefined) throw new ParseError(PARSER, 'route without "dev"', line, first + 1);
  return compact({
    dst: words.dst,
    type: words.type,
    gateway: words.gateway,
    dev: words.dev,
    src: words.src,
    uid: words.uid,
    mtu: cached,
  });
}

/** Words of a `cache` line with one value (iproute.c print_rta_cacheinfo, print_rta_metrics, iif). */
const CACHE_VALUES = new Set([
  'expires',
  'error',
  'users',
  'age',
  'ipid',
  'used',
  'iif',
  'mtu',
  'advmss',
  'hoplimit',
  'rtt',
  'rttvar',
  'window',
  'cwnd',
  'ssthresh',
  'reordering',
  'initcwnd',
  'initrwnd',
  'rto_min',
  'quickack',
  'features',
  'congctl',
]);

/** Reads one `cache …` line; returns its cached path MTU, if any. */
function cacheMtu(line: string, lineNumber: number): number | undefined {
  const words = line.trim().split(/\s+/).slice(1);
  let mtu: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (/^<[\w,]*>$/.test(word)) continue; // `<local>`, `<local,brd>`, `<redirected>`: the cached route's flags
    if (!CACHE_VALUES.has(word)) throw new ParseError(PARSER, `unknown word "${word}" in a cache line`, line, lineNumber);
    let value = words[++i];
    if (value === 'lock') value = words[++i];
    if (value === undefined) throw new ParseError(PARSER, `"${word}" without a value`, line, lineNumber);
    if (word === 'mtu') {
      if (!/^\d+$/.test(value)) throw new ParseError(PARSER, `mtu "${value}" is not a number`, line, lineNumber);
      mtu = Number(value);
    }
  }
  return mtu;
}

/** Keys of `ip -j route get` (print_route with the lookup's attributes and its cache). */
const JSON_LOOKUP_KEYS = new Set([
  'type',
  'dst',
  'from',
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
  'mark',
  'uid',
  'iif',
  'oif',
  'cache',
  'metrics',
  'nhid',
  'expires',
  'error',
  'users',
  'age',
  'ipid',
  'realms',
  'flow_from',
  'flow_to',
]);

function fromJson(text: string): RouteLookup {
  const objects = parseJsonArray(PARSER, text);
  const [obj] = objects;
  if (obj === undefined || objects.length !== 1) {
    throw new ParseError(PARSER, `expected exactly one route, got ${objects.length}`, text);
  }
  checkJsonKeys(PARSER, obj, JSON_LOOKUP_KEYS, 'a lookup');
  const f = new JsonFields(PARSER, obj);
  knownFlags(PARSER, f.strings('flags'), obj);
  return compact({
    dst: f.string('dst'),
    type: f.optString('type') ?? 'unicast',
    gateway: gatewayFromJson(f, obj, PARSER),
    dev: f.string('dev'),
    src: f.optString('prefsrc'),
    uid: f.optNumber('uid'),
    mtu: (f.objects('metrics') ?? []).map((metric) => metric.mtu).find((mtu): mtu is number => typeof mtu === 'number'),
  });
}
