/** Routing tables and route look-ups of pods and nodes. */
import type { Cluster, ExecTarget } from '../cluster/cluster.ts';
import { parseIpRoutes, type Route } from './parse/ip-route.ts';
import { parseIpRouteGet, type RouteLookup } from './parse/ip-route-get.ts';
import { runJsonProbe, runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export async function routes(cluster: Cluster, target: ExecTarget): Promise<Observation<Route[]>> {
  return runJsonProbe(cluster, target, ['ip', '-j', 'route', 'show'], ['ip', 'route', 'show'], parseIpRoutes);
}

/** `ip route get <ip>`: the route the kernel would really pick. */
export async function routeGet(cluster: Cluster, target: ExecTarget, ip: string): Promise<Observation<RouteLookup>> {
  return runProbe(cluster, target, ['ip', 'route', 'get', ip], parseIpRouteGet);
}
