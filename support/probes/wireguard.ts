/** Felix's WireGuard state on a node, read with `wg` and `ip`: the device, its peers' counters, the policy routing. */
import type { Cluster } from '../cluster/cluster.ts';
import { WIREGUARD_DEVICE } from '../net/calico.ts';
import { parseIpRoutes, type Route } from '../parse/ip-route.ts';
import { parseIpRules, type IpRule } from '../parse/ip-rule.ts';
import { parseWgShow, parseWgTransfer, type WgInterface } from '../parse/wg.ts';
import { nodeTarget } from '../subjects.ts';
import { probeFailure, runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

/** wg's words (exit 1) for a device that is not there: what the node has, not a failure to look. */
const NO_DEVICE = /Unable to access interface/;

/** `wg show wireguard.cali`; undefined where the node has no such device. */
export async function wgShow(cluster: Cluster, node: string): Promise<Observation<WgInterface | undefined>> {
  const result = await cluster.exec(nodeTarget(node), ['wg', 'show', WIREGUARD_DEVICE], { timeoutMs: 15_000 });
  if (result.exitCode === 1 && NO_DEVICE.test(result.stderr)) return { value: undefined, evidence: [result] };
  if (result.exitCode !== 0) throw probeFailure(result);
  return { value: parseWgShow(result.stdout)[0], evidence: [result] };
}

/** `wg show wireguard.cali transfer`: the bytes received from and sent to each peer; undefined where the node has no such device. */
export async function wgTransfer(
  cluster: Cluster,
  node: string,
): Promise<Observation<{ publicKey: string; rxBytes: number; txBytes: number }[] | undefined>> {
  const result = await cluster.exec(nodeTarget(node), ['wg', 'show', WIREGUARD_DEVICE, 'transfer'], { timeoutMs: 15_000 });
  if (result.exitCode === 1 && NO_DEVICE.test(result.stderr)) return { value: undefined, evidence: [result] };
  if (result.exitCode !== 0) throw probeFailure(result);
  return { value: parseWgTransfer(result.stdout), evidence: [result] };
}

/** `ip rule` on a node. */
export function ipRules(cluster: Cluster, node: string): Promise<Observation<IpRule[]>> {
  return runProbe(cluster, nodeTarget(node), ['ip', 'rule'], parseIpRules);
}

/** `ip route show table <table>` on a node; a table nothing was ever put in is empty (iproute2 says so on stderr and exits 2). */
export function routesOfTable(cluster: Cluster, node: string, table: string): Promise<Observation<Route[]>> {
  return runProbe(cluster, nodeTarget(node), ['ip', 'route', 'show', 'table', table], parseIpRoutes, { acceptExitCodes: [0, 2] });
}

/** The lines of `ip route show table all` on a node that route through `device`. */
export function routesThroughDevice(cluster: Cluster, node: string, device: string): Promise<Observation<string[]>> {
  return runProbe(cluster, nodeTarget(node), ['ip', 'route', 'show', 'table', 'all'], (text) =>
    text
      .split('\n')
      .filter((line) => line.includes(` dev ${device}`))
      .map((line) => line.trim()),
  );
}

/** `ip link show type wireguard` on a node, as printed: the kernel's WireGuard devices. */
export function wireguardLinks(cluster: Cluster, node: string): Promise<Observation<string>> {
  return runProbe(cluster, nodeTarget(node), ['ip', 'link', 'show', 'type', 'wireguard'], (text) => text);
}
