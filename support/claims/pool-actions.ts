/**
 * The When side of the IP pool claims (lessons 01 and 09): a pod's ping to the outside host under
 * a capture, a pool's natOutgoing turned off, a DaemonSet's pods sent to another pool. Each
 * change names its undo before it is made.
 */
import { describeTarget, type KeepUndo, type PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { cidrContains } from '../net/cidr.ts';
import { captureDuring } from '../probes/capture.ts';
import { ping } from '../probes/ping.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import type { OutsidePingCapture } from './nat-outgoing.ts';

/**
 * A pod pings the outside host while a capture watches what reaches it: on the host itself,
 * or on the sending node's uplink where the target cannot capture at the host.
 */
export async function pingOutsideUnderCapture(cluster: Cluster, from: PodInfo, count: number): Promise<OutsidePingCapture> {
  const host = await cluster.outsideHost();
  const at = host.capture === 'sender-uplink' ? { target: nodeTarget(from.node), iface: 'eth0' } : host.capture;
  const observation = await captureDuring(
    cluster,
    at.target,
    ['icmp', 'and', 'host', host.address],
    'nat-outgoing-outside',
    () => ping(cluster, podTarget(from), host.address, count),
    at.iface,
  );
  return { from, host, capturedAt: `${describeTarget(at.target)} ${at.iface}`, count, observation };
}

/** Turns natOutgoing off on the pool `pod` has its address from. */
export async function turnOffNatOutgoingOfPoolOf(cluster: Cluster, pod: PodInfo, keepUndo: KeepUndo): Promise<void> {
  const pool = (await cluster.ipPools()).find((candidate) => pod.ip !== undefined && cidrContains(candidate.cidr, pod.ip));
  if (!pool) throw new Error(`no IP pool holds ${describePod(pod)}'s address ${pod.ip ?? '(none)'}`);
  const before = pool.natOutgoing;
  keepUndo(`natOutgoing of the pool ${pool.name}`, () => cluster.setPoolNatOutgoing(pool.name, before));
  await cluster.setPoolNatOutgoing(pool.name, false);
}

const POOLS_ANNOTATION = 'cni.projectcalico.org/ipv4pools';

/**
 * Annotates the pod template of `daemonSet` to take addresses from `pool` and waits until its
 * pods are replaced; returns a line naming the new pods, for the report.
 */
export async function sendDaemonSetToPool(cluster: Cluster, daemonSet: string, pool: string, keepUndo: KeepUndo): Promise<string> {
  const namespace = cluster.workloadNamespace;
  keepUndo(
    `the ${POOLS_ANNOTATION} annotation of DaemonSet ${daemonSet}`,
    async () => void (await cluster.patchDaemonSetPodAnnotations(namespace, daemonSet, { [POOLS_ANNOTATION]: null })),
  );
  const replaced = await cluster.patchDaemonSetPodAnnotations(namespace, daemonSet, { [POOLS_ANNOTATION]: JSON.stringify([pool]) });
  return `DaemonSet ${daemonSet}: ${replaced.map((pod) => `${pod.name} on ${pod.node}, IP ${pod.ip}`).join('; ')}`;
}
