import { compact } from './compact.ts';
import { ParseError } from './errors.ts';
import { readRouteWords } from './ip-route.ts';
import { JsonFields, looksLikeJson, parseJsonArray } from './json.ts';

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
  lines.slice(first + 1).forEach((rest, i) => {
    if (rest.trim() !== '' && !/^\s+cache\b/.test(rest)) {
      throw new ParseError(PARSER, 'expected one route line followed by "cache" lines', rest, first + i + 2);
    }
  });
  const words = readRouteWords(PARSER, line, first + 1);
  if (words.dev === undefined) throw new ParseError(PARSER, 'route without "dev"', line, first + 1);
  const cached = lines
    .slice(first + 1)
    .map((rest) => /\bmtu (\d+)/.exec(rest)?.[1])
    .find(Boolean);
  return compact({
    dst: words.dst,
    type: words.type,
    gateway: words.gateway,
    dev: words.dev,
    src: words.src,
    uid: words.uid,
    mtu: cached === undefined ? undefined : Number(cached),
  });
}

function fromJson(text: string): RouteLookup {
  const objects = parseJsonArray(PARSER, text);
  const [obj] = objects;
  if (obj === undefined || objects.length !== 1) {
    throw new ParseError(PARSER, `expected exactly one route, got ${objects.length}`, text);
  }
  const f = new JsonFields(PARSER, obj);
  return compact({
    dst: f.string('dst'),
    type: f.optString('type') ?? 'unicast',
    gateway: f.optString('gateway'),
    dev: f.string('dev'),
    src: f.optString('prefsrc'),
    uid: f.optNumber('uid'),
    mtu: (f.objects('metrics') ?? []).map((metric) => metric.mtu).find((mtu): mtu is number => typeof mtu === 'number'),
  });
}
