/**
 * The When side of the IP pool claims (lessons 01 and 09): a pool's natOutgoing turned off, a
 * DaemonSet's pods sent to another pool. Each names its undo before it changes anything.
 */
import type { KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { cidrContains } from '../net/cidr.ts';
import { describePod } from '../subjects.ts';

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
