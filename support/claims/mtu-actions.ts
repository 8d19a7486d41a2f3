/**
 * The When side of lesson 18's path claims: the changes a scenario makes to the path between
 * the subnets — a router interface's MTU, a node's reverse-path filter. Each names how to put it
 * back before it changes anything (so a change that fails halfway is put back too) and returns
 * the commands it ran.
 */
import type { ExecResult, KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from '../probes/commands.ts';
import { interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import type { Observation } from '../probes/observation.ts';
import { nodeTarget, type routerTarget } from '../subjects.ts';
import { subnetOf } from '../topology/clab.ts';
import { calicoNodes } from './overlay.ts';

/** Sets the MTU of the router's interface on the subnet of `pod`'s node. */
export async function setRouterMtuTowards(
  cluster: Cluster,
  router: ReturnType<typeof routerTarget>,
  pod: PodInfo,
  mtu: number,
  keepUndo: KeepUndo,
): Promise<Observation<void>> {
  const { nodes } = await calicoNodes(cluster);
  const subnet = nodes.find((node) => node.name === pod.node)?.subnet;
  const listed = await interfaces(cluster, router);
  const svi = listed.value.find((iface) => ipv4Addresses(iface).some((cidr) => subnetOf(cidr) === subnet));
  if (!svi) throw new Error(`the router has no interface on ${subnet}`);
  const setMtu = (value: number) => runProbe(cluster, router, ['ip', 'link', 'set', svi.name, 'mtu', String(value)], () => undefined);
  const before = svi.mtu;
  keepUndo(`the router's ${svi.name} MTU`, async () => {
    await setMtu(before);
  });
  const set = await setMtu(mtu);
  return { value: undefined, evidence: [...listed.evidence, ...set.evidence] };
}

/** Sets `net.ipv4.conf.all.rp_filter` on `node`; putting it back also forgets the path MTUs the kernel learnt meanwhile. */
export async function setReversePathFilter(cluster: Cluster, node: string, mode: number, keepUndo: KeepUndo): Promise<Observation<void>> {
  const key = 'net.ipv4.conf.all.rp_filter';
  const on = nodeTarget(node);
  const before = await runProbe(cluster, on, ['sysctl', '-n', key], (text) => text.trim());
  keepUndo(`${key} on ${node}`, async () => {
    await runProbe(cluster, on, ['sysctl', '-w', `${key}=${before.value}`], () => undefined);
    await runProbe(cluster, on, ['ip', 'route', 'flush', 'cache'], () => undefined);
  });
  const set = await runProbe(cluster, on, ['sysctl', '-w', `${key}=${mode}`], () => undefined);
  const evidence: ExecResult[] = [...before.evidence, ...set.evidence];
  return { value: undefined, evidence };
}
