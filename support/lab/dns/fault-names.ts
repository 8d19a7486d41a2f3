/**
 * Faults the lab's CoreDNS reads from the model (its Corefile, in effect): the server applies
 * them to its answers as soon as they are recorded in the state file.
 */
import type { LabState } from '../model.ts';

/** The Corefile says `ttl 300` instead of kubeadm's `ttl 30`. */
export const DNS_WRONG_TTL_FAULT = 'dns-wrong-ttl';
export const WRONG_TTL = 300;
/** The Corefile says `pods disabled` instead of `pods insecure`. */
export const DNS_PODS_DISABLED_FAULT = 'dns-pods-disabled';

export interface DnsFaults {
  ttl?: number;
  podRecords?: false;
}

export function dnsFaultsOf(state: Pick<LabState, 'faults'>): DnsFaults {
  return {
    ...(state.faults.includes(DNS_WRONG_TTL_FAULT) ? { ttl: WRONG_TTL } : {}),
    ...(state.faults.includes(DNS_PODS_DISABLED_FAULT) ? { podRecords: false as const } : {}),
  };
}
