/**
 * The StatefulSet controller's part the lab needs: a deleted pod is recreated under the same
 * name (same ordinal, hostname and subdomain), with a new address, scheduled as the
 * scheduler would (pkg/controller/statefulset: the set's identity is its ordinal, not its IP).
 */
import { cniAddPod } from '../cni/cni.ts';
import { addOrdinal, type LabPod, type LabState } from '../model.ts';
import { ordinalOf } from '../servers/redis.ts';

export async function recreateOrdinal(state: LabState, deleted: LabPod): Promise<LabPod | undefined> {
  if (deleted.ownerKind !== 'StatefulSet') return undefined;
  const workload = state.spec.workloads.find(
    (candidate) => candidate.kind === 'StatefulSet' && candidate.namespace === deleted.namespace && candidate.name === deleted.workload,
  );
  if (!workload) return undefined;
  return cniAddPod(state, () => addOrdinal(state, workload, ordinalOf(deleted)));
}
