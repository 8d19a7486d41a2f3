/** Claims about the cluster's shape and objects: nodes, pods, DaemonSets, Calico's datastore. */
import type { Cluster, PodInfo } from '../cluster/cluster.ts';
import type { Verdict } from '../evidence.ts';
import { describePod } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';
import { list, listing, verdict } from './verdict.ts';

export async function nodeShape(cluster: Cluster, controlPlanes: number, workers: number): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = (role: string) => nodes.filter((node) => node.role === role).map((node) => node.name);
  const cp = seen('control-plane');
  const wk = seen('worker');
  return verdict(
    cp.length === controlPlanes && wk.length === workers && nodes.length === controlPlanes + workers,
    `${controlPlanes} control-plane node(s) and ${workers} worker node(s)`,
    `control-plane: ${list(cp)}; workers: ${list(wk)}`,
    [],
    [listing('nodes', nodes)],
  );
}

export async function allNodesReady(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const notReady = nodes.filter((node) => !node.ready).map((node) => node.name);
  return verdict(nodes.length > 0 && notReady.length === 0, 'every node to be Ready', notReady.length ? `not Ready: ${list(notReady)}` : `${nodes.length} nodes, all Ready`, [], [listing('nodes', nodes)]);
}

export async function podRunningAndReady(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const current = (await cluster.pods({ namespace: pod.namespace })).find((candidate) => candidate.name === pod.name);
  const ready = current?.containers.filter((container) => container.ready).length ?? 0;
  const total = current?.containers.length ?? 0;
  return verdict(
    current?.phase === 'Running' && total > 0 && ready === total,
    `pod ${pod.namespace}/${pod.name} to be Running with all its containers ready`,
    current ? `${current.phase}, ${ready}/${total} ready` : 'the pod does not exist',
    [],
    [listing('pod', current ?? null)],
  );
}

export async function daemonSetOnEveryNode(cluster: Cluster, daemonSet: string): Promise<Verdict> {
  const [nodes, pods] = await Promise.all([cluster.nodes(), cluster.pods({ namespace: cluster.workloadNamespace, workload: daemonSet })]);
  const perNode = nodes.map((node) => {
    const running = pods.filter((pod) => pod.node === node.name && pod.phase === 'Running');
    return `${node.name}: ${running.length}`;
  });
  const ok = nodes.every((node) => pods.filter((pod) => pod.node === node.name && pod.phase === 'Running').length === 1) && pods.length === nodes.length;
  return verdict(ok, `DaemonSet ${daemonSet} to run exactly one Running pod on each of the ${nodes.length} nodes`, `${pods.length} pods; ${perNode.join(', ')}`, [], [listing('pods', pods), listing('nodes', nodes)]);
}

/** Compares Calico's record of the pod with what the pod and its node really show. */
export async function workloadEndpointMatches(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [endpoints, side] = await Promise.all([cluster.workloadEndpoints(), hostSideOf(cluster, pod)]);
  const endpoint = endpoints.find((candidate) => candidate.namespace === pod.namespace && candidate.pod === pod.name);
  const actual = `node ${pod.node}, IP ${side.podAddresses.join(' ') || 'none'}, interface ${side.host?.name ?? 'none'}`;
  const recorded = endpoint ? `node ${endpoint.node}, IP ${endpoint.ipNetworks.join(' ')}, interface ${endpoint.interfaceName}` : 'no workload endpoint';
  return verdict(
    endpoint !== undefined && endpoint.node === pod.node && endpoint.ipNetworks.length === 1 && side.podAddresses.includes(endpoint.ipNetworks[0] ?? '') && endpoint.interfaceName === side.host?.name,
    `a workload endpoint for ${describePod(pod)} that records what the pod shows (${actual})`,
    recorded,
    side.evidence,
    [listing('workload-endpoint', endpoint ?? null)],
  );
}
