/**
 * What Kubernetes itself says, read as a learner reads it on a kind cluster: kubectl on the
 * control-plane node with kubeadm's admin kubeconfig. For the claims the Cluster port does not
 * answer (the CoreDNS ConfigMap, a StatefulSet's policy and its pods' times, the CRDs); live only.
 */
import { EnvironmentError } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { nodeTarget } from '../subjects.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

const KUBECTL = ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf'];

async function controlPlane(cluster: Cluster): Promise<string> {
  const node = (await cluster.nodes()).find((candidate) => candidate.role === 'control-plane');
  if (!node) throw new EnvironmentError('the cluster has no control-plane node');
  return node.name;
}

async function kubectl<T>(cluster: Cluster, args: string[], parse: (text: string) => T): Promise<Observation<T>> {
  return runProbe(cluster, nodeTarget(await controlPlane(cluster)), [...KUBECTL, ...args], parse, { timeoutMs: 20_000 });
}

/** The lines of the Corefile in ConfigMap kube-system/coredns, trimmed. */
export function corefileLines(cluster: Cluster): Promise<Observation<string[]>> {
  return kubectl(cluster, ['-n', 'kube-system', 'get', 'configmap', 'coredns', '-o', 'jsonpath={.data.Corefile}'], (text) =>
    text.split('\n').map((line) => line.trim()),
  );
}

/** A StatefulSet's spec.podManagementPolicy. */
export function podManagementPolicy(cluster: Cluster, namespace: string, statefulSet: string): Promise<Observation<string>> {
  return kubectl(cluster, ['-n', namespace, 'get', 'statefulset', statefulSet, '-o', 'jsonpath={.spec.podManagementPolicy}'], (text) =>
    text.trim(),
  );
}

export interface PodTimes {
  name: string;
  /** The pod's ordinal in its StatefulSet. */
  ordinal: number;
  /** When it was created and when it last turned Ready, in ms since the epoch (NaN where not so). */
  created: number;
  ready: number;
}

/** The pods a StatefulSet owns, with when each was created and turned Ready. */
export function statefulSetPodTimes(cluster: Cluster, namespace: string, statefulSet: string): Promise<Observation<PodTimes[]>> {
  const template = `{range .items[?(@.metadata.ownerReferences[0].name=="${statefulSet}")]}{.metadata.name} {.metadata.creationTimestamp} {.status.conditions[?(@.type=="Ready")].lastTransitionTime}{"\\n"}{end}`;
  return kubectl(cluster, ['-n', namespace, 'get', 'pods', '-o', `jsonpath=${template}`], (text) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '))
      .map(([name, created, ready]) => ({
        name: name ?? '',
        ordinal: Number(/-(\d+)$/.exec(name ?? '')?.[1]),
        created: Date.parse(created ?? ''),
        ready: Date.parse(ready ?? ''),
      })),
  );
}

/** The names of the cluster's CustomResourceDefinitions. */
export function crdNames(cluster: Cluster): Promise<Observation<string[]>> {
  return kubectl(cluster, ['get', 'crd', '-o', 'name'], (text) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, '')),
  );
}
