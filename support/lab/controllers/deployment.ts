/**
 * The Deployment controller's part the lab needs: a replica deleted is replaced by a new pod
 * of the same ReplicaSet (a new name, a new address), scheduled as the scheduler would.
 */
import { cniAddPod } from '../cni/cni.ts';
import { addReplica, type LabPod, type LabState } from '../model.ts';

/** The replacement of a deleted Deployment pod, wired; undefined for a pod no Deployment owns. */
export async function replaceReplica(state: LabState, deleted: LabPod): Promise<LabPod | undefined> {
  if (deleted.ownerKind !== 'ReplicaSet') return undefined;
  const workload = state.spec.workloads.find(
    (candidate) => candidate.kind === 'Deployment' && candidate.namespace === deleted.namespace && candidate.name === deleted.workload,
  );
  if (!workload) return undefined;
  return cniAddPod(state, () => addReplica(state, workload));
}
