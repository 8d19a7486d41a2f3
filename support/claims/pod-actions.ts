/** The When side of the pod lifecycle claims: a pod created through CNI ADD, a StatefulSet's pod deleted and recreated. */
import { EnvironmentError, type CreatedPod, type PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { waitUntil } from '../eventually.ts';
import type { Observation } from '../probes/observation.ts';
import { chooseNode, type Placement } from '../subjects.ts';
import { isReady, statefulSetPods } from './headless.ts';
import { hostInterfaceOf, probePodName } from './lifecycle.ts';

/** CNI ADD through the target: a new pod on a node that fits `placement`. */
export async function createPodOn(cluster: Cluster, placement: Placement, named: Map<string, PodInfo>): Promise<PodInfo> {
  const node = await chooseNode(cluster, placement, named);
  return cluster.createPod({ namespace: cluster.workloadNamespace, name: probePodName(), node });
}

/**
 * `count` new pods on nodes that fit `placement`, one after the other, each handed to `keepCreated`
 * with its alias ("new pod 1", …) as soon as it exists.
 */
export async function createPodsOn(
  cluster: Cluster,
  count: number,
  placement: Placement,
  named: Map<string, PodInfo>,
  keepCreated: (alias: string, pod: PodInfo) => void,
): Promise<void> {
  for (let index = 1; index <= count; index++) keepCreated(`new pod ${index}`, await createPodOn(cluster, placement, named));
}

/**
 * A new pod on a node that fits `placement`, with its host interface as its node shows it now (to
 * look for it after the pod is gone). `keepCreated` gets the pod as soon as it exists, so that the
 * scenario deletes it even when the look that follows fails.
 */
export async function createPodSeenFromItsNode(
  cluster: Cluster,
  placement: Placement,
  named: Map<string, PodInfo>,
  keepCreated: (pod: PodInfo) => void,
): Promise<Observation<CreatedPod>> {
  const pod = await createPodOn(cluster, placement, named);
  keepCreated(pod);
  const hostSide = await hostInterfaceOf(cluster, pod);
  return { value: { pod, hostInterface: hostSide.value }, evidence: hostSide.evidence };
}

/**
 * L11-18: deletes a StatefulSet pod and waits (bounded) until the controller has a Ready pod of
 * that name again; returns a line saying where it was and where it is now, for the report.
 */
export async function recreateStatefulSetPod(cluster: Cluster, statefulSet: string, name: string, seconds = 120): Promise<string> {
  const before = (await statefulSetPods(cluster, statefulSet)).find((pod) => pod.name === name);
  if (!before) throw new EnvironmentError(`StatefulSet ${statefulSet} has no pod ${name}`);
  await cluster.deletePod(before.namespace, name);
  const after = await waitUntil(
    `StatefulSet ${statefulSet} to recreate a Ready ${name}`,
    async () => {
      const now = (await statefulSetPods(cluster, statefulSet)).find((pod) => pod.name === name);
      return now && isReady(now) && now.ip
        ? { done: true, value: now }
        : {
            done: false,
            seen: now ? `${name} ${now.phase}, ${now.ip ?? 'no IP'}, ${isReady(now) ? 'Ready' : 'not Ready'}` : `no pod ${name}`,
          };
    },
    { withinMs: seconds * 1000, everyMs: 1000 },
  );
  return `${name} was ${before.ip} on ${before.node}; recreated as ${after.ip} on ${after.node}`;
}
