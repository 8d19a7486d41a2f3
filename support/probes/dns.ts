/** DNS lookups as a learner makes them in a pod: dig, with or without the pod's search list. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import { parseDig, type DigResult } from '../parse/dig.ts';
import type { Observation } from './observation.ts';

/** dig exits 0 for any answer (NXDOMAIN too) and 9 when no server answered: both are findings. */
const ANSWERED_OR_NOT = [0, 9];

export interface LookupOptions {
  /** `+search`: the name is tried with the resolv.conf search list. */
  search?: boolean;
  type?: 'A' | 'SRV' | 'AAAA';
  /** Ask this server instead of the resolv.conf nameserver. */
  server?: string;
}

/** dig's own wait, bounded (one try of 2 s, not 3 of 5): a DNS that does not answer is a finding, not a hang. */
const DIG_WAIT = ['+time=2', '+tries=1'];

export function digArgv(name: string, options: LookupOptions = {}): string[] {
  return [
    'dig',
    ...DIG_WAIT,
    ...(options.server ? [`@${options.server}`] : []),
    ...(options.search ? ['+search'] : []),
    ...(options.type && options.type !== 'A' ? [options.type] : []),
    name,
  ];
}

export async function lookup(
  cluster: Cluster,
  target: ExecTarget,
  name: string,
  options: LookupOptions = {},
): Promise<Observation<DigResult>> {
  return runProbe(cluster, target, digArgv(name, options), parseDig, { acceptExitCodes: ANSWERED_OR_NOT, timeoutMs: 20_000 });
}
