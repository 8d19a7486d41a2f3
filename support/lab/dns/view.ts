/**
 * What the lab's CoreDNS knows of the cluster: the model's Services and EndpointSlices, read
 * from the state file whenever it has changed (CoreDNS's informers follow the API the same
 * way), so that Services and pods created or deleted during a run are answered at once.
 */
import { statSync } from 'node:fs';
import { withKubeletReadiness } from '../kubelet/kubelet.ts';
import { endpointSlices, type LabState } from '../model.ts';
import { readState, statePath } from '../state.ts';
import { CLUSTER_TTL, type ClusterDnsView } from './records.ts';
import { dnsFaultsOf } from './fault-names.ts';

/** kubeadm's namespaces: present on every cluster, whatever runs in them. */
const KUBEADM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface LoadedView extends ClusterDnsView {
  /** The state file's modification time the view was built from. */
  mtimeMs: number;
}

/** The cluster as the plugin sees it, from the model. */
export function clusterDnsView(state: LabState, modifiedMs: number = Date.now()): LoadedView {
  const namespaces = new Set([
    ...KUBEADM_NAMESPACES,
    ...state.pods.map((pod) => pod.namespace),
    ...(state.services ?? []).map((service) => service.namespace),
  ]);
  const faults = dnsFaultsOf(state);
  return {
    namespaces: [...namespaces],
    services: state.services ?? [],
    endpointSlices: endpointSlices(withKubeletReadiness(state)),
    serial: Math.floor(modifiedMs / 1000),
    ttl: faults.ttl ?? CLUSTER_TTL,
    ...(faults.podRecords === false ? { podRecords: false } : {}),
    mtimeMs: modifiedMs,
  };
}

/** The view of a running lab, re-read only when its state file has changed since `previous`. */
export function loadClusterView(labName: string, previous?: ClusterDnsView): LoadedView {
  const mtimeMs = statSync(statePath(labName)).mtimeMs;
  if (previous && (previous as LoadedView).mtimeMs === mtimeMs) return previous as LoadedView;
  const state = readState(labName);
  if (!state) throw new Error(`lab ${labName} has no state file`);
  return clusterDnsView(state, mtimeMs);
}
