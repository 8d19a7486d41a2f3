/**
 * The path of a ping, hop by hop — source pod → host interface → node → (router) → node →
 * host interface → destination pod — with addresses, interfaces and the TTL a request carries
 * at each point, drawn as an SVG for the report. Built from what the kernel says (the pods'
 * veth peers, `ip route get` on the source node), not from what the path should be.
 */
import type { Cluster, NodeInfo, PodInfo } from '../cluster/cluster.ts';
import { CALICO_GATEWAY } from '../net/calico.ts';
import type { RouteLookup } from '../probes/parse/ip-route-get.ts';
import { describeRouteAnswer, routeGet } from '../probes/routes.ts';
import { nodeTarget } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';

export interface Hop {
  kind: 'pod' | 'host-interface' | 'node' | 'router';
  title: string;
  lines: string[];
  /** TTL of the request as it leaves this hop (after a router's decrement). */
  ttl: number | undefined;
}

export interface PathFacts {
  source: PodInfo;
  target: PodInfo;
  sourceHost: string | undefined;
  targetHost: string | undefined;
  nodes: NodeInfo[];
  /** `ip route get <target>` on the source's node. */
  lookup: RouteLookup | undefined;
  /** Set when the source node's kernel refused the lookup (a blackhole route): what it said. */
  refusal?: string;
  /** TTLs of the replies the source received. */
  observedTtls: number[];
}

const INITIAL_TTL = 64;

/** The hops a request takes, decrementing the TTL at every router (each node, and any gateway in between). */
export function buildPath(facts: PathFacts): Hop[] {
  const { source, target, lookup } = facts;
  const node = (name: string) => facts.nodes.find((candidate) => candidate.name === name);
  const sameNode = source.node === target.node;
  let ttl = INITIAL_TTL;
  const hops: Hop[] = [{ kind: 'pod', title: `pod ${source.name}`, lines: [`${source.ip} on eth0`, `default via ${CALICO_GATEWAY}`], ttl }];
  hops.push({ kind: 'host-interface', title: facts.sourceHost ?? 'host interface (unknown)', lines: [`on ${source.node}`, `proxy ARP for ${CALICO_GATEWAY}`], ttl });
  ttl -= 1;
  const outLine = lookup ? `→ ${lookup.gateway ? `via ${lookup.gateway} ` : ''}dev ${lookup.dev}` : facts.refusal ? '→ refused (see the routes)' : '→ (route unknown)';
  hops.push({ kind: 'node', title: `node ${source.node}`, lines: [`${node(source.node)?.internalIP ?? '?'}`, outLine], ttl });
  if (!sameNode) {
    const targetNodeIP = node(target.node)?.internalIP;
    if (lookup?.gateway && lookup.gateway !== targetNodeIP) {
      ttl -= 1;
      hops.push({ kind: 'router', title: `router ${lookup.gateway}`, lines: ['an extra routed hop'], ttl });
    }
    ttl -= 1;
    hops.push({ kind: 'node', title: `node ${target.node}`, lines: [`${targetNodeIP ?? '?'}`, `→ ${target.ip}`, `dev ${facts.targetHost ?? '?'}`], ttl });
  }
  hops.push({ kind: 'host-interface', title: facts.targetHost ?? 'host interface (unknown)', lines: [`on ${target.node}`], ttl });
  hops.push({ kind: 'pod', title: `pod ${target.name}`, lines: [`${target.ip} on eth0`, `arrives with TTL ${ttl}`], ttl });
  return hops;
}

const BOX_WIDTH = 170;
const BOX_HEIGHT = 90;
const GAP = 36;
const COLOURS: Record<Hop['kind'], string> = { pod: '#e3f2fd', 'host-interface': '#fff8e1', node: '#e8f5e9', router: '#ffebee' };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[char] as string);
}

/** One row of boxes joined by arrows, the TTL on each arrow, the observed reply TTLs underneath. */
export function renderPathSvg(hops: Hop[], observedTtls: number[]): string {
  const width = hops.length * (BOX_WIDTH + GAP) - GAP + 20;
  const height = BOX_HEIGHT + 70;
  const parts: string[] = [];
  hops.forEach((hop, index) => {
    const x = 10 + index * (BOX_WIDTH + GAP);
    parts.push(`<rect x="${x}" y="10" width="${BOX_WIDTH}" height="${BOX_HEIGHT}" rx="8" fill="${COLOURS[hop.kind]}" stroke="#555"/>`);
    parts.push(`<text x="${x + 8}" y="30" font-weight="bold">${escapeXml(hop.title)}</text>`);
    hop.lines.forEach((line, lineIndex) => parts.push(`<text x="${x + 8}" y="${50 + lineIndex * 16}">${escapeXml(line)}</text>`));
    if (index < hops.length - 1) {
      const from = x + BOX_WIDTH;
      parts.push(`<line x1="${from}" y1="${10 + BOX_HEIGHT / 2}" x2="${from + GAP - 4}" y2="${10 + BOX_HEIGHT / 2}" stroke="#333" marker-end="url(#arrow)"/>`);
      parts.push(`<text x="${from + 4}" y="${4 + BOX_HEIGHT / 2}" font-size="10">TTL ${hop.ttl ?? '?'}</text>`);
    }
  });
  const observed = observedTtls.length ? `replies came back with TTL ${[...new Set(observedTtls)].join(', ')}` : 'no replies came back';
  parts.push(`<text x="10" y="${BOX_HEIGHT + 40}">${escapeXml(`requests leave with TTL ${INITIAL_TTL}; every node (and router) on the way takes one off — ${observed}`)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    ...parts,
    '</svg>',
  ].join('\n');
}

/** Looks up the facts of the path through the Cluster port. */
export async function pathFacts(cluster: Cluster, source: PodInfo, target: PodInfo, observedTtls: number[]): Promise<PathFacts> {
  const [nodes, sourceSide, targetSide, answer] = await Promise.all([
    cluster.nodes(),
    hostSideOf(cluster, source),
    hostSideOf(cluster, target),
    routeGet(cluster, nodeTarget(source.node), target.ip as string).then(
      (seen) => seen.value,
      () => undefined,
    ),
  ]);
  return {
    source,
    target,
    sourceHost: sourceSide.host?.name,
    targetHost: targetSide.host?.name,
    nodes,
    lookup: answer?.kind === 'route' ? answer.lookup : undefined,
    ...(answer?.kind === 'refused' ? { refusal: describeRouteAnswer(answer) } : {}),
    observedTtls,
  };
}
