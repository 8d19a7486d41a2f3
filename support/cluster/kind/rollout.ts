/**
 * Whether a DaemonSet's rollout has finished, judged as `kubectl rollout status daemonset`
 * judges it (kubernetes/kubernetes at 18ff3ed0, staging/src/k8s.io/kubectl/pkg/
 * polymorphichelpers/rollout_status.go, DaemonSetStatusViewer): the controller has seen the latest spec
 * (status.observedGeneration ≥ metadata.generation), every scheduled pod runs the new template
 * (updatedNumberScheduled ≥ desiredNumberScheduled) and is available (numberAvailable ≥
 * desiredNumberScheduled).
 */
import type { V1DaemonSet } from '@kubernetes/client-node';

export interface RolloutStatus {
  done: boolean;
  /** One line on where the rollout stands, for a timeout's message. */
  seen: string;
}

export function daemonSetRolloutStatus(ds: V1DaemonSet): RolloutStatus {
  const generation = ds.metadata?.generation ?? 0;
  const status = ds.status;
  const observed = status?.observedGeneration ?? 0;
  if (observed < generation)
    return { done: false, seen: `generation ${generation} not yet observed by the controller (observed ${observed})` };
  const desired = status?.desiredNumberScheduled ?? 0;
  const updated = status?.updatedNumberScheduled ?? 0;
  const available = status?.numberAvailable ?? 0;
  if (updated < desired) return { done: false, seen: `${updated} of ${desired} pods updated to generation ${generation}` };
  if (available < desired) return { done: false, seen: `${available} of ${desired} updated pods available` };
  return { done: true, seen: `generation ${generation} rolled out: ${desired} pods updated and available` };
}
