/**
 * The diagnosis of a failed BGP claim: each node's BGP sessions as BIRD reports them, the
 * router's neighbours and who advertised what to it, and the likely causes read from them.
 * The analysis is a pure function of what was gathered.
 */
import type { ExecResult, NodeInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { isMeshProtocol, type CalicoBgpObjects } from '../net/calico-bgp.ts';
import { cidrsOverlap } from '../net/cidr.ts';
import { birdBgpSessions, routerBgpSummary, routerRoutesFrom } from '../probes/bgp.ts';
import { bgpSessionState, type BirdProtocol } from '../parse/bird.ts';
import type { FrrBgpPeer } from '../parse/frr.ts';

export interface BgpPicture {
  objects: CalicoBgpObjects;
  nodes: { node: NodeInfo; sessions: BirdProtocol[] | string }[];
  router: { peers: FrrBgpPeer[]; advertised: Map<string, string[]> } | string;
  blocks: string[];
}

const said = (error: unknown) => (error as Error).message.split('\n')[0] ?? String(error);

export async function gatherBgp(cluster: Cluster, router: string): Promise<{ picture: BgpPicture; evidence: ExecResult[] }> {
  const evidence: ExecResult[] = [];
  const [objects, nodes, blocks] = await Promise.all([cluster.bgpObjects(), cluster.nodes(), cluster.ipamBlocks()]);
  const views = await Promise.all(
    nodes.map(async (node) => {
      try {
        const seen = await birdBgpSessions(cluster, node.name);
        evidence.push(...seen.evidence);
        return { node, sessions: seen.value };
      } catch (error) {
        return { node, sessions: `BIRD did not answer: ${said(error)}` };
      }
    }),
  );
  let routerView: BgpPicture['router'];
  try {
    const summary = await routerBgpSummary(cluster, router);
    evidence.push(...summary.evidence);
    const advertised = new Map<string, string[]>();
    for (const peer of summary.value.peers.filter((candidate) => candidate.state === 'Established')) {
      const learned = await routerRoutesFrom(cluster, router, peer.address);
      evidence.push(...learned.evidence);
      advertised.set(peer.address, [...new Set(learned.value.map((route) => route.prefix))]);
    }
    routerView = { peers: summary.value.peers, advertised };
  } catch (error) {
    routerView = `the router did not answer: ${said(error)}`;
  }
  return { picture: { objects, nodes: views, router: routerView, blocks: blocks.map((block) => block.cidr) }, evidence };
}

/** Likely causes, from the sessions' states and what was advertised. */
export function bgpCauses(picture: BgpPicture): string[] {
  const causes: string[] = [];
  for (const { node, sessions } of picture.nodes) {
    if (typeof sessions === 'string') continue;
    for (const session of sessions) {
      if (/Bad peer AS/.test(session.info))
        causes.push(`${node.name}: ${session.name} is refused with "Bad peer AS": the BGPPeer's asNumber is not the router's AS`);
      else if (bgpSessionState(session) !== 'Established') causes.push(`${node.name}: ${session.name} is ${session.info || session.state}`);
      if (isMeshProtocol(session.name))
        causes.push(`${node.name} runs node-to-node mesh session ${session.name}: BGPConfiguration leaves nodeToNodeMeshEnabled on`);
    }
  }
  if (typeof picture.router !== 'string') {
    for (const [peer, prefixes] of picture.router.advertised) {
      const pods = prefixes.filter((prefix) => picture.blocks.some((block) => cidrsOverlap(block, prefix)));
      const exported = picture.objects.pools.filter((pool) => !pool.disableBGPExport && !pool.allowedUses.includes('LoadBalancer'));
      if (pods.length && exported.length === 0)
        causes.push(`${peer} advertises pod blocks (${pods.join(', ')}) although every pod pool has disableBGPExport`);
      if (pods.length === 0 && exported.length > 0)
        causes.push(`${peer} advertises no pod block although pool(s) ${exported.map((pool) => pool.name).join(', ')} export them`);
    }
    if (picture.router.peers.length === 0) causes.push('the router holds no BGP neighbour at all: no node opened a session it accepted');
  }
  return causes;
}

export function formatBgpPicture(picture: BgpPicture): string {
  const lines = ['BGP SESSIONS (BIRD on each node)'];
  for (const { node, sessions } of picture.nodes) {
    lines.push(
      `  ${node.name} (${node.calico?.ipv4Address ?? node.internalIP}; labels ${JSON.stringify(node.labels ?? {})}): ${typeof sessions === 'string' ? sessions : sessions.map((s) => `${s.name} ${s.state} ${s.info}`.trim()).join(' | ') || 'no BGP session'}`,
    );
  }
  lines.push('ROUTER (FRR): neighbours and what each advertised');
  if (typeof picture.router === 'string') lines.push(`  ${picture.router}`);
  else {
    for (const peer of picture.router.peers)
      lines.push(
        `  ${peer.address} AS${peer.remoteAs} ${peer.state}, PfxRcd ${peer.prefixesReceived}: ${(picture.router.advertised.get(peer.address) ?? []).join(', ') || 'nothing'}`,
      );
    if (picture.router.peers.length === 0) lines.push('  no neighbour');
  }
  const causes = bgpCauses(picture);
  lines.push(
    'LIKELY CAUSES',
    ...(causes.length ? causes.map((cause) => `  - ${cause}`) : ['  - none recognised in the sessions and advertisements above']),
  );
  return lines.join('\n');
}
