/** Claims about how nodes route to pods: per-block routes between nodes, the kernel's pick. */
import type { NodeInfo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { type Verdict, verdict } from '../evidence.ts';
import { cidrContains } from '../net/cidr.ts';
import { formatRoute } from '../parse/ip-route.ts';
import { describeRouteAnswer, routeGet, routes } from '../probes/routes.ts';
import { describePod, nodeTarget } from '../subjects.ts';

function nodeNamed(nodes: NodeInfo[], name: string): NodeInfo | undefined {
  return nodes.find((node) => node.name === name);
}

export async function routeGetViaNode(cluster: Cluster, fromNode: string, target: PodInfo): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const via = nodeNamed(nodes, target.node)?.internalIP;
  const seen = await routeGet(cluster, nodeTarget(fromNode), target.ip as string);
  const answer = seen.value;
  return verdict(
    via !== undefined && answer.kind === 'route' && answer.lookup.gateway === via && answer.lookup.dev === 'eth0',
    `on node ${fromNode}, the route to ${describePod(target)} to go via ${target.node}'s InternalIP ${via} on eth0`,
    describeRouteAnswer(answer),
    seen.evidence,
  );
}

/** One route per remote block via its node, and no /32 to any remote pod, on every node. */
export async function routesPerRemoteBlock(cluster: Cluster): Promise<Verdict> {
  const [nodes, blocks] = await Promise.all([cluster.nodes(), cluster.ipamBlocks()]);
  const tables = await Promise.all(nodes.map(async (node) => ({ node, seen: await routes(cluster, nodeTarget(node.name)) })));
  const findings: string[] = [];
  for (const { node, seen } of tables) {
    for (const block of blocks.filter((candidate) => candidate.node && candidate.node !== node.name)) {
      const owner = nodeNamed(nodes, block.node as string);
      const matching = seen.value.filter((route) => route.prefix === block.cidr);
      if (matching.length !== 1 || matching[0]?.gateway !== owner?.internalIP) {
        findings.push(
          `${node.name} has ${matching.length ? matching.map(formatRoute).join(' | ') : 'no route'} for ${block.cidr} (expected one via ${owner?.internalIP})`,
        );
      }
    }
    const remoteHostRoutes = seen.value.filter(
      (route) =>
        route.prefix.endsWith('/32') &&
        blocks.some((block) => block.node !== node.name && cidrContains(block.cidr, route.prefix.split('/')[0] as string)),
    );
    for (const route of remoteHostRoutes) findings.push(`${node.name} has a /32 route to a remote pod: ${formatRoute(route)}`);
  }
  return verdict(
    findings.length === 0,
    'every node to route to each remote block with one route via the block’s node, and to hold no /32 route for any remote pod',
    findings.length ? findings.join('; ') : `${nodes.length} nodes, ${blocks.length} blocks: as expected`,
    tables.flatMap((table) => table.seen.evidence),
  );
}
