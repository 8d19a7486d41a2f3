/**
 * Pure translations of core Kubernetes objects (as @kubernetes/client-node returns them)
 * into the port's NodeInfo and PodInfo. Checked against @kubernetes/client-node's V1Node and
 * V1Pod: what the API server always sends (names, a pod's namespace) is required, since a reading
 * with an empty name would match nothing or the wrong thing; what it may leave out while a pod
 * starts (status, container statuses, podIP, nodeName) reads as "not yet"; a phase outside the
 * API's enum is 'Unknown', as kubectl shows it.
 */
import type { V1Node, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { ParseError } from '../../parse/errors.ts';
import {
  CALICO_NODE_ANNOTATIONS,
  type CalicoNodeFacts,
  type ContainerState,
  type NodeInfo,
  type OwnerRef,
  type PodInfo,
} from '../../domain.ts';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

function required(parser: string, value: string | undefined, what: string, part: unknown): string {
  if (value) return value;
  throw new ParseError(parser, `without ${what}`, JSON.stringify(part) ?? 'undefined');
}

export function parseNode(node: V1Node): NodeInfo {
  const labels = node.metadata?.labels ?? {};
  const addresses = node.status?.addresses ?? [];
  const internal = addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address);
  // Dual-stack nodes list both families; the course's claims are about IPv4.
  const internalIP = internal.find((a) => !a.includes(':')) ?? internal[0] ?? '';
  const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const annotations = node.metadata?.annotations ?? {};
  const calico: CalicoNodeFacts = {};
  for (const [key, annotation] of Object.entries(CALICO_NODE_ANNOTATIONS) as [keyof CalicoNodeFacts, string][]) {
    if (annotations[annotation]) calico[key] = annotations[annotation];
  }
  return {
    name: required('parseNode', node.metadata?.name, 'metadata.name', node.metadata),
    role: CONTROL_PLANE_LABEL in labels ? 'control-plane' : 'worker',
    internalIP,
    ready,
    ...(Object.keys(calico).length > 0 ? { calico } : {}),
    labels: { ...labels },
  };
}

function controllerRef(pod: V1Pod): V1OwnerReference | undefined {
  const refs = pod.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

/**
 * The workload a pod belongs to: a DaemonSet's (or StatefulSet's, Job's) name; for a
 * ReplicaSet, its Deployment's name (the ReplicaSet name less `-<pod-template-hash>`); for a
 * bare pod, or a static pod mirrored by its Node, the pod's own name.
 */
export function workloadOf(pod: V1Pod): string {
  const name = pod.metadata?.name ?? '';
  const ref = controllerRef(pod);
  if (!ref || ref.kind === 'Node') return name;
  if (ref.kind === 'ReplicaSet') {
    // The Deployment controller labels every pod of its ReplicaSets with the hash the ReplicaSet's
    // name ends in; without that label the ReplicaSet is not a Deployment's, and is the workload.
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    return hash && ref.name.endsWith(`-${hash}`) ? ref.name.slice(0, -hash.length - 1) : ref.name;
  }
  return ref.name;
}

const PHASES = new Set<PodInfo['phase']>(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

export function parsePod(pod: V1Pod): PodInfo {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers: ContainerState[] = (pod.spec?.containers ?? []).map((c) => {
    const status = statuses.find((s) => s.name === c.name);
    // Before the sandbox exists the kubelet reports no container status; kubectl shows ContainerCreating then too.
    const waiting = status
      ? status.state?.waiting?.reason
      : pod.status?.phase === 'Pending' && pod.spec?.nodeName
        ? 'ContainerCreating'
        : undefined;
    return {
      name: c.name,
      ready: status?.ready === true,
      ...(waiting ? { waiting } : {}),
      ...(status?.restartCount === undefined ? {} : { restartCount: status.restartCount }),
    };
  });
  const ref = controllerRef(pod);
  const owner: OwnerRef | undefined = ref ? { kind: ref.kind, name: ref.name } : undefined;
  const phase = pod.status?.phase as PodInfo['phase'] | undefined;
  return {
    namespace: required('parsePod', pod.metadata?.namespace, 'metadata.namespace', pod.metadata),
    name: required('parsePod', pod.metadata?.name, 'metadata.name', pod.metadata),
    node: pod.spec?.nodeName ?? '',
    ip: pod.status?.podIP || undefined,
    phase: phase && PHASES.has(phase) ? phase : 'Unknown',
    containers,
    workload: workloadOf(pod),
    owner,
    hostNetwork: pod.spec?.hostNetwork === true,
    labels: { ...(pod.metadata?.labels ?? {}) },
    annotations: { ...(pod.metadata?.annotations ?? {}) },
  };
}

/** Running, and every container ready (the pod's Ready condition agrees when present). */
export function podIsReady(pod: V1Pod): boolean {
  const info = parsePod(pod);
  const condition = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return info.phase === 'Running' && info.containers.length > 0 && info.containers.every((c) => c.ready) && condition?.status !== 'False';
}

/** One line on what a pod is doing, for "last seen" reports: phase, node, waiting reasons. */
export function describePodState(pod: V1Pod): string {
  const info = parsePod(pod);
  const waiting = (pod.status?.containerStatuses ?? [])
    .map((s) => {
      const w = s.state?.waiting;
      const t = s.state?.terminated;
      if (w) return `${s.name} waiting: ${w.reason ?? 'unknown'}${w.message ? ` (${w.message})` : ''}`;
      if (t) return `${s.name} terminated: ${t.reason ?? `exit ${t.exitCode}`}`;
      return s.ready ? undefined : `${s.name} not ready`;
    })
    .filter(Boolean);
  const unschedulable = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const parts = [
    `${info.namespace}/${info.name}`,
    info.phase,
    info.node ? `on ${info.node}` : 'not scheduled',
    ...waiting,
    ...(unschedulable?.message ? [`unschedulable: ${unschedulable.message}`] : []),
  ];
  return parts.join(', ');
}
