/** Routing tables and route look-ups of pods and nodes. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseCidr } from '../net/cidr.ts';
import { formatRoute, parseIpRoutes, type Route } from '../parse/ip-route.ts';
import { parseIpRouteGet, type RouteLookup } from '../parse/ip-route-get.ts';
import { parseRouteRefusal } from '../parse/route-refusal.ts';
import { ProbeFailure, probeFailure, runJsonProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export async function routes(cluster: Cluster, target: ExecTarget): Promise<Observation<Route[]>> {
  return runJsonProbe(cluster, target, ['ip', '-j', 'route', 'show'], ['ip', 'route', 'show'], parseIpRoutes);
}

/** What the kernel answered to `ip route get`: where the packet would leave, or a refusal and the route behind it. */
export type RouteAnswer = { kind: 'route'; lookup: RouteLookup } | { kind: 'refused'; said: string; route: Route | undefined };

/**
 * `ip route get <ip>`: the route the kernel would really pick. When the kernel refuses (a
 * blackhole, an unreachable route), the routes covering the address are read too, so that the
 * answer names the route that refused.
 */
export async function routeGet(cluster: Cluster, target: ExecTarget, ip: string): Promise<Observation<RouteAnswer>> {
  const argv = ['ip', 'route', 'get', ip];
  const result = await cluster.exec(target, argv, { timeoutMs: 15_000 });
  const said = result.exitCode !== 0 && !result.timedOut ? parseRouteRefusal(result.stderr) : undefined;
  if (said) {
    const covering = await runJsonProbe(
      cluster,
      target,
      ['ip', '-j', 'route', 'show', 'match', ip],
      ['ip', 'route', 'show', 'match', ip],
      parseIpRoutes,
    );
    return { value: { kind: 'refused', said, route: mostSpecific(covering.value) }, evidence: [result, ...covering.evidence] };
  }
  if (result.exitCode !== 0) throw probeFailure(result);
  try {
    return { value: { kind: 'route', lookup: parseIpRouteGet(result.stdout) }, evidence: [result] };
  } catch (error) {
    throw new ProbeFailure(
      `could not read the output of \`${argv.join(' ')}\` on ${result.where}: ${(error as Error).message}`,
      result,
      'unreadable',
    );
  }
}

/** The gateways a route sends through: each next hop of a multipath route, else its one gateway (none for a direct route). */
export function gatewaysOf(route: Route | undefined): string[] {
  if (!route) return [];
  if (route.nexthops?.length) return route.nexthops.map((hop) => hop.gateway as string);
  return route.gateway ? [route.gateway] : [];
}

/** The route with the longest prefix: the one the kernel applies. */
export function mostSpecific(candidates: Route[]): Route | undefined {
  const length = (route: Route) => parseCidr(route.prefix, { loose: true }).prefix;
  return [...candidates].sort((a, b) => length(b) - length(a))[0];
}

/** "via 172.18.0.3 dev eth0", or the refusal with the route that gave it. */
export function describeRouteAnswer(answer: RouteAnswer): string {
  if (answer.kind === 'route') return `${answer.lookup.gateway ? `via ${answer.lookup.gateway}` : 'no gateway'} dev ${answer.lookup.dev}`;
  return `the kernel refuses the lookup ("${answer.said}")${answer.route ? `: the route "${formatRoute(answer.route)}" covers it` : ''}`;
}
