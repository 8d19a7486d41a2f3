/** Changes to the lab's IP pool that faults make. */
import type { Encapsulation } from '../../net/calico.ts';
import type { LabState } from '../model.ts';

/**
 * The pool's encapsulation, in both places the model holds it: `spec.pool` and its entry in
 * `spec.pools` are one object only in a lab just planned; read back from the state file (a
 * fault applied to a running lab, as the mutation matrix and lab:fault do) they are two.
 */
export function setPoolEncapsulation(state: LabState, encapsulation: Encapsulation): void {
  state.spec.pool.encapsulation = encapsulation;
  for (const pool of state.spec.pools) if (pool.name === state.spec.pool.name) pool.encapsulation = encapsulation;
}
