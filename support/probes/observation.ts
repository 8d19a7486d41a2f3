import type { ExecResult } from '../cluster/cluster.ts';

/** What a probe saw: the parsed value and the commands it took to see it. */
export interface Observation<T> {
  value: T;
  evidence: ExecResult[];
}
