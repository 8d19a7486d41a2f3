/**
 * The path of a ping, hop by hop — source pod → host interface → node → (router) → node →
 * host interface → destination pod — with addresses, interfaces and the TTL a request carries
 * at each point, drawn as an SVG for the report. Built from what the kernel says (the pods'
 * veth peers, `ip route get` on the source node, and for a tunnel the outer packet's route),
 * not from what the path should be. Where the source node encapsulates (vxlan.calico), the
 * picture says so, and shows a router between the nodes as routing only the outer packet.
 */
import type { NodeInfo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { CALICO_GATEWAY, VXLAN_DEVICE } from '../net/calico.ts';
import type { RouteLookup } from '../parse/ip-route-get.ts';
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
  /**
   * When the source node sends the request into a tunnel (`dev vxlan.calico`): the outer
   * packet's ends (the two nodes' Calico addresses) and how the source node routes the outer
   * packet (`ip route get <outer destination>`).
   */
  encapsulation?: { device: string; outerSrc: string | undefined; outerDst: string | undefined; underlay: RouteLookup | undefined };
}

const TUNNEL_DEVICES = new Set([VXLAN_DEVICE]);
const VXLAN_PORT = 4789;

const INITIAL_TTL = 64;

/** The hops a request takes, decrementing the TTL at every router (each node, and any gateway in between). */
export function buildPath(facts: PathFacts): Hop[] {
  const { source, target, lookup } = facts;
  const node = (name: string) => facts.nodes.find((candidate) => candidate.name === name);
  const sameNode = source.node === target.node;
  let ttl = INITIAL_TTL;
  const hops: Hop[] = [{ kind: 'pod', title: `pod ${source.name}`, lines: [`${source.ip} on eth0`, `default via ${CALICO_GATEWAY}`], ttl }];
  hops.push({
    kind: 'host-interface',
    title: facts.sourceHost ?? 'host interface (unknown)',
    lines: [`on ${source.node}`, `proxy ARP for ${CALICO_GATEWAY}`],
    ttl,
  });
  ttl -= 1;
  const outLine = lookup
    ? `→ ${lookup.gateway ? `via ${lookup.gateway} ` : ''}dev ${lookup.dev}`
    : facts.refusal
      ? '→ refused (see the routes)'
      : '→ (route unknown)';
  const tunnel = facts.encapsulation;
  const encapsulated = tunnel
    ? [
        `encapsulated here: ${tunnel.outerSrc ?? '?'} > ${tunnel.outerDst ?? '?'}`,
        `UDP ${VXLAN_PORT} out of ${tunnel.underlay?.dev ?? '?'}`,
      ]
    : [];
  hops.push({
    kind: 'node',
    title: `node ${source.node}`,
    lines: [`${node(source.node)?.internalIP ?? '?'}`, outLine, ...encapsulated],
    ttl,
  });
  if (!sameNode && tunnel) {
    // A router between the nodes routes the outer packet only: the pod's packet inside keeps its TTL.
    if (tunnel.underlay?.gateway && tunnel.underlay.gateway !== tunnel.outerDst) {
      hops.push({
        kind: 'router',
        title: `router ${tunnel.underlay.gateway}`,
        lines: ['routes the outer VXLAN packet', 'sees no pod address', 'the inner TTL is untouched'],
        ttl,
      });
    }
    ttl -= 1;
    hops.push({
      kind: 'node',
      title: `node ${target.node}`,
      lines: [
        `${node(target.node)?.internalIP ?? '?'}`,
        `decapsulated on ${tunnel.device}`,
        `→ ${target.ip} dev ${facts.targetHost ?? '?'}`,
      ],
      ttl,
    });
  } else if (!sameNode) {
    const targetNodeIP = node(target.node)?.internalIP;
    const targetCalicoIP = node(target.node)?.calico?.ipv4Address?.split('/')[0];
    if (lookup?.gateway && lookup.gateway !== targetNodeIP && lookup.gateway !== targetCalicoIP) {
      ttl -= 1;
      hops.push({ kind: 'router', title: `router ${lookup.gateway}`, lines: ['an extra routed hop'], ttl });
    }
    ttl -= 1;
    hops.push({
      kind: 'node',
      title: `node ${target.node}`,
      lines: [`${targetNodeIP ?? '?'}`, `→ ${target.ip}`, `dev ${facts.targetHost ?? '?'}`],
      ttl,
    });
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
      parts.push(
        `<line x1="${from}" y1="${10 + BOX_HEIGHT / 2}" x2="${from + GAP - 4}" y2="${10 + BOX_HEIGHT / 2}" stroke="#333" marker-end="url(#arrow)"/>`,
      );
      parts.push(`<text x="${from + 4}" y="${4 + BOX_HEIGHT / 2}" font-size="10">TTL ${hop.ttl ?? '?'}</text>`);
    }
  });
  const observed = observedTtls.length ? `replies came back with TTL ${[...new Set(observedTtls)].join(', ')}` : 'no replies came back';
  parts.push(
    `<text x="10" y="${BOX_HEIGHT + 40}">${escapeXml(`requests leave with TTL ${INITIAL_TTL}; every node (and router) on the way takes one off — ${observed}`)}</text>`,
  );
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
  const route = answer?.kind === 'route' ? answer.lookup : undefined;
  let encapsulation: PathFacts['encapsulation'];
  if (route && TUNNEL_DEVICES.has(route.dev)) {
    const calicoIP = (name: string) => nodes.find((candidate) => candidate.name === name)?.calico?.ipv4Address?.split('/')[0];
    const outerDst = calicoIP(target.node);
    const underlay = outerDst
      ? await routeGet(cluster, nodeTarget(source.node), outerDst).then(
          (seen) => (seen.value.kind === 'route' ? seen.value.lookup : undefined),
          () => undefined,
        )
      : undefined;
    encapsulation = { device: route.dev, outerSrc: calicoIP(source.node), outerDst, underlay };
  }
  return {
    source,
    target,
    sourceHost: sourceSide.host?.name,
    targetHost: targetSide.host?.name,
    nodes,
    lookup: route,
    ...(answer?.kind === 'refused' ? { refusal: describeRouteAnswer(answer) } : {}),
    observedTtls,
    ...(encapsulation ? { encapsulation } : {}),
  };
}
