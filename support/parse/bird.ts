/**
 * BIRD's `show protocols` and `show route` text (birdc on the lab's BIRD 2, birdcl inside
 * calico-node's BIRD 1.6: the columns are the same, the header's capitalisation differs).
 * Checked against Debian's BIRD 2.0.12 (`birdc show protocols`, `show route`, `show route all`,
 * IPv4 and IPv6 channels) and BIRD 1.6.8's form as Calico's own route scanner tests print it.
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

export interface BirdNextHop {
  /** The gateway; absent for a device route (`dev eth0`). */
  via?: string;
  iface: string;
  /** `weight N` of a multipath next hop. */
  weight?: number;
}

export interface BirdRoute {
  prefix: string;
  /** unicast, blackhole, unreachable, prohibited (BIRD 2's words; BIRD 1.6's `via`/`dev`/`multipath` are unicast). */
  type: string;
  /** The protocol the route came from (static1, direct1, Node_10_10_10_1, …). */
  protocol: string;
  /** Whether BIRD selected it (`*`; `!` is a selected route that failed to sync). */
  best: boolean;
  /** Next hops: inline (BIRD 1.6 `via … on …`, `dev …`) or on the lines below (BIRD 2, multipath). */
  nextHops: BirdNextHop[];
  preference: number;
  /**
   * BGP's IGP metric of the next hop after the preference: a number, `?` (unknown, as for a
   * recursive gateway in BIRD 1.6: `(100/?)`) or `-` (unresolvable: `(100/-)`); absent when not printed.
   */
  igpMetric?: string;
  /** `from <address>` in the brackets: the BGP peer, when it is not the gateway. */
  from?: string;
  /** The bracketed AS path summary, e.g. `AS65001i`, `i`, `AS65001?`, when learned by BGP. */
  asPath: string | undefined;
}

const PREFIX = String.raw`[0-9a-fA-F.:]+\/\d+`;
/** BIRD 2: the route type; BIRD 1.6: the destination itself (rt_format_via). */
const DESTINATION = String.raw`unicast|blackhole|unreachable|prohibited|multipath|via (\S+) on (\S+)|dev (\S+)`;
const ROUTE_LINE = new RegExp(
  String.raw`^(${PREFIX})?\s+(${DESTINATION}) \[(\S+) ([^\]]*?)(?: from (\S+))?\]( \*| !)? \((\d+)(-)?(?:\/(\d+|\?|-))?\)(?: \[((?:AS\d+)?[ie?])\])?$`,
);
const NEXT_HOP_LINE = /^\t(?:via (\S+) on (\S+)(?: weight (\d+))?|dev (\S+))$/;
/** `show route all`: `\tType: …`, `\tBGP.as_path: …`, `\tKernel.metric: …`. */
const ATTRIBUTE_LINE = /^\t[A-Za-z][\w.]*:(?: .*)?$/;

/**
 * `show route` and `show route all` of BIRD 2 (`birdc`) and BIRD 1.6 (`birdcl` in calico-node).
 *
 * Checked against BIRD 2.0.12 (IPv4 and IPv6 tables, direct, kernel, static blackhole and iBGP
 * routes with `gateway recursive`, `show route`, `show route all`, `show route table master6`) and
 * against BIRD 1.6's printer as Calico's node status reads it (v0.3.3+birdv1.6.8:
 * `via … on … [proto time] * (100/0) [i]`, `(100/?) [AS65001?]`, `(100/-)`, `dev eth0 [direct1 …]`,
 * `dev cali… [kernel1 …]`, `blackhole`, `unreachable`, `from <peer>`). A line that is none of a
 * banner, a `Table <name>:` header, a route, a next hop or an attribute of the route above it
 * is an error naming the line (`show route count` is refused).
 */
export function parseBirdRoutes(text: string): BirdRoute[] {
  const routes: BirdRoute[] = [];
  let prefix: string | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const fail = (reason: string): never => {
      throw new ParseError('bird show route', reason, raw, index + 1);
    };
    const line = raw.trimEnd();
    if (BANNER.test(line)) return;
    // BIRD 2 prints an empty line between tables.
    if (line === '') return;
    if (/^Table \S+:$/.test(line)) {
      prefix = undefined;
      return;
    }
    const hop = NEXT_HOP_LINE.exec(line);
    if (hop) {
      const last = routes.at(-1) ?? fail('a next hop before any route');
      last.nextHops.push(
        hop[4] ? { iface: hop[4] } : { via: hop[1] as string, iface: hop[2] as string, ...(hop[3] ? { weight: Number(hop[3]) } : {}) },
      );
      return;
    }
    if (ATTRIBUTE_LINE.test(line)) {
      if (!routes.length) fail('a route attribute before any route');
      return;
    }
    const match = ROUTE_LINE.exec(line);
    if (!match)
      return fail('expected "<prefix> <type or destination> [<protocol> <since>[ from <peer>]] [*] (<pref>[/<igp metric>]) [<AS path>]"');
    const [, own, destination = '', via, on, dev, protocol = '', , from, best, preference, , igpMetric, asPath] = match;
    if (own) prefix = own;
    if (!prefix) return fail('a route without a prefix');
    const inline: BirdNextHop[] = via ? [{ via, iface: on as string }] : dev ? [{ iface: dev }] : [];
    routes.push({
      prefix,
      type: via || dev || destination === 'multipath' ? 'unicast' : destination,
      protocol,
      best: best !== undefined,
      nextHops: inline,
      preference: Number(preference),
      ...(igpMetric !== undefined ? { igpMetric } : {}),
      ...(from !== undefined ? { from } : {}),
      asPath,
    });
  });
  return routes;
}

export interface BirdRouteCounts {
  /** BIRD 2's channel (`ipv4`, `ipv6`); undefined for BIRD 1.6, one daemon per family and no channels. */
  channel: string | undefined;
  imported: number;
  exported: number;
}

const ROUTES_LINE = /^Routes:\s+(\d+) imported, (?:\d+ filtered, )?(\d+) exported(?:, \d+ preferred)?$/;

/**
 * The `Routes:` lines of `show protocols all <name>`: how many routes a session took and gave,
 * per channel (BIRD 2 prints one under each `Channel ipv4`/`ipv6`; BIRD 1.6 one for the
 * protocol). Checked against BIRD 2.0.12 (`Routes: 1 imported, 0 exported, 0 preferred`, and
 * the `N filtered,` an import filter adds). A `Routes:` line of another form, or two in one
 * channel, is an error naming the line.
 */
export function parseBirdRouteCounts(text: string): BirdRouteCounts[] {
  const parser = 'parseBirdRouteCounts';
  const counts: BirdRouteCounts[] = [];
  let channel: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const opened = /^Channel (\S+)$/.exec(line);
    if (opened) channel = opened[1];
    if (!line.startsWith('Routes:')) return;
    const match = ROUTES_LINE.exec(line);
    if (!match) throw new ParseError(parser, 'a Routes: line of another form', raw, index + 1);
    if (counts.some((seen) => seen.channel === channel))
      throw new ParseError(parser, `a second Routes: line for ${channel ? `channel ${channel}` : 'the protocol'}`, raw, index + 1);
    counts.push({ channel, imported: Number(match[1]), exported: Number(match[2]) });
  });
  return counts;
}
