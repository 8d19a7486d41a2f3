/**
 * BIRD's `show protocols` and `show route` text (birdc on the lab's BIRD 2, birdcl inside
 * calico-node's BIRD 1.6: the columns are the same, the header's capitalisation differs).
 */
import { ParseError } from './errors.ts';

export interface BirdProtocol {
  name: string;
  proto: string;
  table: string;
  /** up, down, start, stop. */
  state: string;
  since: string;
  /** For BGP: Established, Idle, Active, Connect, OpenSent…, possibly followed by the last error. */
  info: string;
}

const BANNER = /^BIRD \S+ ready\.$/;
const PROTOCOLS_HEADER = /^name\s+proto\s+table\s+state\s+since\s+info$/i;

function contentLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !BANNER.test(line.trim()));
}

export function parseBirdProtocols(text: string): BirdProtocol[] {
  const lines = contentLines(text);
  const header = lines.shift();
  if (header === undefined || !PROTOCOLS_HEADER.test(header.trim()))
    throw new ParseError('bird show protocols', 'expected the header "Name Proto Table State Since Info"', text, 1);
  return lines.map((line, index) => {
    // Since is a time (hh:mm:ss[.mmm]) or a date-time "yyyy-mm-dd hh:mm:ss" (BIRD 1.6 with timeformat iso long).
    const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(up|down|start|stop|feed|flush)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\S+)\s*(.*)$/.exec(
      line,
    );
    if (!match) throw new ParseError('bird show protocols', 'expected name, proto, table, state, since and info', line, index + 2);
    const [, name, proto, table, state, since, info] = match as unknown as string[];
    return { name: name!, proto: proto!, table: table!, state: state!, since: since!, info: (info ?? '').replace(/\s+/g, ' ').trim() };
  });
}

/** A BGP protocol's session state: the first word of its info column ("Established", "Idle", …). */
export function bgpSessionState(protocol: BirdProtocol): string {
  return protocol.info.split(' ')[0] || protocol.state;
}

export interface BirdRoute {
  prefix: string;
  /** unicast, blackhole, unreachable, prohibit (BIRD 2); BIRD 1.6 prints the gateway instead. */
  type: string;
  /** The protocol the route came from (static1, direct1, Node_10_10_10_1, …). */
  protocol: string;
  /** Whether BIRD selected it (`*`). */
  best: boolean;
  /** `via <gw> on <iface>` lines (BIRD 2) or the inline `via` (BIRD 1.6). */
  nextHops: { via: string; iface: string }[];
  /** The bracketed AS path summary, e.g. `AS65001i`, when learned by BGP. */
  asPath: string | undefined;
}

const ROUTE_LINE =
  /^(?:(\S+\/\d+)\s+)?(?:(unicast|blackhole|unreachable|prohibit|via (\S+) on (\S+))\s+)?\[(\S+?)(?: [^\]]*)?\]\s*(\*)?\s*(?:\((\d+)\))?(?:\s*\[([^\]]*)\])?$/;

export function parseBirdRoutes(text: string): BirdRoute[] {
  const routes: BirdRoute[] = [];
  let prefix: string | undefined;
  contentLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (/^Table \S+:$/.test(line)) return;
    const nextHop = /^via (\S+) on (\S+)$/.exec(line);
    if (nextHop) {
      const last = routes.at(-1);
      if (!last) throw new ParseError('bird show route', 'a next hop before any route', raw, index + 1);
      last.nextHops.push({ via: nextHop[1]!, iface: nextHop[2]! });
      return;
    }
    if (/^dev \S+$/.test(line) || /^Type: /.test(line) || /^BGP\.\S+:/.test(line) || /^\S+: /.test(line)) return; // `show route all` attributes
    const match = ROUTE_LINE.exec(line);
    if (!match) throw new ParseError('bird show route', 'expected "<prefix> <type> [<protocol> <since>] [*] (<pref>)"', raw, index + 1);
    if (match[1]) prefix = match[1];
    if (!prefix) throw new ParseError('bird show route', 'a route without a prefix', raw, index + 1);
    const inlineVia = match[3] ? [{ via: match[3], iface: match[4]! }] : [];
    routes.push({
      prefix,
      type: match[3] ? 'unicast' : (match[2] ?? 'unicast'),
      protocol: match[5]!,
      best: match[6] === '*',
      nextHops: inlineVia,
      asPath: match[8],
    });
  });
  return routes;
}

export interface BirdRouteCounts {
  imported: number;
  exported: number;
}

/** The `Routes:` line of `show protocols all <name>` (BIRD 1.6 and 2): how many routes a session took and gave. */
export function parseBirdRouteCounts(text: string): BirdRouteCounts | undefined {
  const match = /Routes:\s+(\d+) imported,(?: (\d+) filtered,)? (\d+) exported/.exec(text);
  return match ? { imported: Number(match[1]), exported: Number(match[3]) } : undefined;
}
