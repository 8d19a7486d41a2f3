/**
 * Waiting for BGP to settle after the lab starts or changes it: bounded, driven by what the
 * daemons say (never a fixed sleep). Settled means: every BGP session of every node's BIRD is
 * Established or has given up with an error (a wrong AS never establishes: that is a finding
 * for a claim to report, not a reason to wait), the router has received from each established
 * node exactly what that node says it exported, and zebra has installed every BGP best path.
 */
import { isMeshProtocol } from '../../net/calico-bgp.ts';
import { bgpSessionState, parseBirdProtocols, parseBirdRouteCounts, type BirdProtocol } from '../../parse/bird.ts';
import { parseFrrBgpSummary, parseFrrIpRoutes, parseFrrBgpRoutes, parseFrrNeighbors } from '../../parse/frr.ts';
import { splitJsonDocuments } from '../../parse/json.ts';
import { birdc, vtysh, waitUntil } from './daemons.ts';

export interface BgpSpeakers {
  labName: string;
  /** Node name → its address on the router's subnet. */
  nodes: { name: string; ip: string }[];
  router: string;
}

/**
 * A Cease "Other configuration change" from the router (RFC 4486 subcode 6) is the router resetting
 * the session after its configuration changed, as FRR does when route-reflector-client is removed:
 * BIRD reconnects, so the session is on its way back, not given up.
 */
const TRANSIENT_RESET = 'Received: Other configuration change';

/** Established, or given up with its last error shown after the state ("Idle  BGP Error: Bad peer AS"). */
function settledSession(protocol: BirdProtocol): boolean {
  if (protocol.info.includes(TRANSIENT_RESET)) return false;
  return bgpSessionState(protocol) === 'Established' || protocol.info.includes(' ') || protocol.state === 'down';
}

interface RouterView {
  /** Established peers: address → routes received from it. */
  peers: Map<string, { received: number }>;
}

/** A node's BGP sessions as its BIRD lists them; a string says why they are not readable. */
async function bgpSessionsOf(speakers: BgpSpeakers, node: { name: string }): Promise<BirdProtocol[] | string> {
  const listing = await birdc(speakers.labName, node.name, ['show', 'protocols']);
  if (listing.exitCode !== 0) return `BIRD on ${node.name} does not answer`;
  return parseBirdProtocols(listing.stdout).filter((protocol) => protocol.proto === 'BGP');
}

/** What the router still lacks of the routes `node` exported on its established session with it; undefined when it has them all. */
async function routerHasExports(
  speakers: BgpSpeakers,
  node: { name: string; ip: string },
  sessions: BirdProtocol[],
  router: RouterView,
): Promise<string | undefined> {
  for (const protocol of sessions) {
    const seen = router.peers.get(node.ip);
    // Only the session with the router is compared: that is the side the router reports.
    if (bgpSessionState(protocol) !== 'Established' || !seen || isMeshProtocol(protocol.name)) continue;
    const channels = parseBirdRouteCounts((await birdc(speakers.labName, node.name, ['show', 'protocols', 'all', protocol.name])).stdout);
    // The router's summary counts IPv4 unicast: BIRD 2's ipv4 channel (BIRD 1.6 has no channels).
    const counts = channels.find((seen) => seen.channel === 'ipv4' || seen.channel === undefined);
    if (!counts) return `${node.name} ${protocol.name} shows no IPv4 route counts`;
    if (seen.received !== counts.exported) return `router has ${seen.received} of the ${counts.exported} routes ${node.name} exported`;
  }
  return undefined;
}

const STEADY_MS = 250;

const ROUTER_TABLES = ['show bgp summary json', 'show bgp neighbors json', 'show bgp ipv4 json', 'show ip route json'];

/** The router's summary, neighbours, BGP table and RIB, read together in one vtysh call. */
async function routerTables(speakers: BgpSpeakers): Promise<[string, string, string, string]> {
  const answer = await vtysh(speakers.labName, speakers.router, ROUTER_TABLES);
  return splitJsonDocuments(`frr ${ROUTER_TABLES.join(' + ')}`, answer.stdout, ROUTER_TABLES.length) as [string, string, string, string];
}

/** Resolves with the time BGP took to settle; throws after `timeoutMs` naming what had not. */
export async function waitForBgp(speakers: BgpSpeakers, timeoutMs = 20_000): Promise<number> {
  let pending = '';
  let last = { snapshot: '', since: 0 };
  const steady = (snapshot: string): boolean => {
    const now = performance.now();
    if (snapshot !== last.snapshot) last = { snapshot, since: now };
    pending = "the router's tables are still changing";
    return now - last.since >= STEADY_MS;
  };
  return waitUntil(
    'BGP in the lab to settle',
    async () => {
      // The nodes' sessions first: birdc costs a few milliseconds, the router's vtysh ten times
      // that, and while a session is still connecting (most of a bring-up's wait) the router's
      // tables cannot be settled anyway.
      const sessions: BirdProtocol[][] = [];
      for (const node of speakers.nodes) {
        const listed = await bgpSessionsOf(speakers, node);
        if (typeof listed === 'string') {
          pending = listed;
          return false;
        }
        const unsettled = listed.find((protocol) => !settledSession(protocol));
        if (unsettled) {
          pending = `${node.name} ${unsettled.name} ${unsettled.info || unsettled.state}`;
          return false;
        }
        sessions.push(listed);
      }
      const [summaryText, neighborsText, pathsText, ribText] = await routerTables(speakers);
      const summary = parseFrrBgpSummary(summaryText);
      const established = summary.peers.filter((peer) => peer.state === 'Established');
      const router: RouterView = {
        peers: new Map(established.map((peer) => [peer.address, { received: peer.prefixesReceived }])),
      };
      for (const [index, node] of speakers.nodes.entries()) {
        const waiting = await routerHasExports(speakers, node, sessions[index] ?? [], router);
        if (waiting) {
          pending = waiting;
          return false;
        }
      }
      const neighbors = parseFrrNeighbors(neighborsText);
      const early = neighbors.find((neighbor) => neighbor.state === 'Established' && !(neighbor.endOfRibSent && neighbor.endOfRibReceived));
      if (early) {
        pending = `the initial exchange with ${early.address} is not over (End-of-RIB)`;
        return false;
      }
      const paths = parseFrrBgpRoutes(pathsText).filter((route) => (route.best || route.multipath) && route.peer !== '(unspec)');
      const rib = parseFrrIpRoutes(ribText);
      const prefixes = [...new Set(paths.map((route) => route.prefix))];
      const missing = prefixes.find((prefix) => {
        const installed = rib.find((entry) => entry.prefix === prefix && entry.protocol === 'bgp' && entry.installed);
        return !installed || installed.nextHops.length !== paths.filter((route) => route.prefix === prefix).length;
      });
      pending = missing ? `zebra has not installed every path of ${missing}` : '';
      if (missing) return false;
      return steady(JSON.stringify([summary.peers, paths, rib]));
    },
    timeoutMs,
    () => pending,
  );
}
