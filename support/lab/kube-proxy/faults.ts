/**
 * kube-proxy misbehaving, as faults of the catalogue (support/lab/faults/faults.ts names them):
 * each one bends what a sync writes, so that it stays bent through later syncs.
 */
import type { LabNode, LabState } from '../model.ts';
import type { ProxyInput } from './rules.ts';

export const PROXY_FAULTS = {
  /** kube-proxy misses the endpoint on the last worker of every Service outside kube-system. */
  endpointMissing: 'service-endpoint-missing',
  /** kube-proxy runs as with --masquerade-all: every Service connection is masqueraded. */
  masqueradeAll: 'service-masquerade-all',
  /** kube-proxy writes 1/(i+1) instead of 1/(n-i): the first endpoint takes every connection. */
  probabilityReversed: 'service-probability-reversed',
  /** kube-proxy does not run on the control-plane node. */
  notOnControlPlane: 'kube-proxy-not-on-control-plane',
} as const;

export interface BentInput extends ProxyInput {
  masqueradeAll?: boolean;
  probabilityReversed?: boolean;
}

export function applyProxyFaults(state: LabState, input: ProxyInput): BentInput {
  const faults = state.faults;
  const bent: BentInput = { ...input };
  if (faults.includes(PROXY_FAULTS.endpointMissing)) {
    const lastWorker = state.nodes.filter((node) => node.role === 'worker').at(-1)?.name;
    bent.slices = input.slices.map((slice) =>
      slice.namespace === 'kube-system' ? slice : { ...slice, endpoints: slice.endpoints.filter((endpoint) => endpoint.nodeName !== lastWorker) },
    );
  }
  if (faults.includes(PROXY_FAULTS.masqueradeAll)) bent.masqueradeAll = true;
  if (faults.includes(PROXY_FAULTS.probabilityReversed)) bent.probabilityReversed = true;
  return bent;
}

/** The nodes kube-proxy runs on. */
export function proxyFaultNodes(state: LabState): LabNode[] {
  if (state.faults.includes(PROXY_FAULTS.notOnControlPlane)) return state.nodes.filter((node) => node.role !== 'control-plane');
  return state.nodes;
}
