/**
 * Which scenarios may run side by side under --parallel. A scenario that creates or deletes
 * pods changes what every "all pods" claim sees (NET-01's unique IPs, NET-02's mesh, the IPAM
 * claims), so it runs alone: it starts only when no other scenario runs, and none starts beside it.
 */
import type { setParallelCanAssign } from '@cucumber/cucumber';

type Validator = Parameters<typeof setParallelCanAssign>[0];
type Pickle = Parameters<Validator>[0];

/** The sentences of the steps that create or delete a pod (steps/network-model.steps.ts). */
const CHANGES_PODS = [/^a new pod is created on .+, called "[^"]+"$/, /^"[^"]+" is deleted$/];

export function changesPods(pickle: Pickle): boolean {
  return pickle.steps.some((step) => CHANGES_PODS.some((sentence) => sentence.test(step.text)));
}

export const assignScenario: Validator = (pickle, inProgress) =>
  changesPods(pickle) ? inProgress.length === 0 : !inProgress.some(changesPods);
