/**
 * What a fault is: a realistic breakage of the lab, applied on purpose so that a claim can be
 * seen to turn red. Its own module, below the catalogue (faults.ts) that gathers every fault
 * file, so that those files import the type without importing the catalogue back.
 */
import type { LabState } from '../model.ts';
import { DEFAULT_TOPOLOGY } from '../../topology/catalogue.ts';

export interface Fault {
  name: string;
  /** What breaks, in a learner's words. */
  description: string;
  /** Changes the model first (optional), then the kernel. */
  apply(state: LabState): Promise<void>;
  /** The topologies whose labs it breaks (default: the default topology's only); other labs of a run are left whole. */
  topologies?: string[];
}

/** The topologies whose labs a fault breaks. */
export function faultTopologies(fault: Fault): string[] {
  return fault.topologies ?? [DEFAULT_TOPOLOGY];
}

/** Whether a fault breaks the lab of a topology. */
export function faultApplies(fault: Fault, topology: string): boolean {
  return faultTopologies(fault).includes(topology);
}
