/** NET-07: CNI ADD gives a new pod a host interface and route; DEL takes both away and releases the IP. */
import { randomBytes } from 'node:crypto';
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Observation } from '../probes/observation.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { interfaces } from '../probes/interfaces.ts';
import { formatRoute } from '../parse/ip-route.ts';
import { routes } from '../probes/routes.ts';
import { nodeTarget } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';

/** A fresh name for a pod the suite creates; labelled as the suite's by the target. */
export function probePodName(): string {
  return `podnet-probe-${randomBytes(3).toString('hex')}`;
}

/** The pod's host interface as its node shows it now, to look for it again after the pod is gone. */
export async function hostInterfaceOf(cluster: Cluster, pod: PodInfo): Promise<Observation<string | undefined>> {
  const side = await hostSideOf(cluster, pod);
  return { value: side.host?.name, evidence: side.evidence };
}

export async function nodeForgotPod(cluster: Cluster, pod: PodInfo, hostInterface: string | undefined): Promise<Verdict> {
  const [ifaces, table] = await Promise.all([interfaces(cluster, nodeTarget(pod.node)), routes(cluster, nodeTarget(pod.node))]);
  const leftInterface = hostInterface ? ifaces.value.find((iface) => iface.name === hostInterface) : undefined;
  const leftRoutes = table.value.filter((route) => route.prefix === `${pod.ip}/32`);
  return verdict(
    hostInterface !== undefined && leftInterface === undefined && leftRoutes.length === 0,
    `node ${pod.node} to have neither the deleted pod's host interface ${hostInterface ?? '(none was seen at creation)'} nor a route to ${pod.ip}`,
    [
      leftInterface ? `interface ${leftInterface.name} still there` : 'no interface',
      leftRoutes.length ? `routes: ${leftRoutes.map(formatRoute).join(' | ')}` : 'no route',
    ].join('; '),
    [...ifaces.evidence, ...table.evidence],
  );
}

export async function addressReleased(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const blocks = await cluster.ipamBlocks();
  const holders = blocks.flatMap((block) =>
    block.allocations.filter((allocation) => allocation.ip === pod.ip).map((allocation) => `${allocation.holder} in ${block.cidr}`),
  );
  return verdict(
    holders.length === 0,
    `${pod.ip}, the address of deleted pod ${pod.name}, to be free in Calico's IPAM`,
    holders.length ? `still allocated: ${list(holders)}` : 'free',
    [],
    [listing('ipam-blocks', blocks)],
  );
}
