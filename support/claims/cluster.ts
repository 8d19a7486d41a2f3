/** Claims about the cluster's shape and objects: nodes, pods, DaemonSets, Calico's datastore. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { describePod } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';

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
  return verdict(
    nodes.length > 0 && notReady.length === 0,
    'every node to be Ready',
    notReady.length ? `not Ready: ${list(notReady)}` : `${nodes.length} nodes, all Ready`,
    [],
    [listing('nodes', nodes)],
  );
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
  const ok =
    nodes.every((node) => pods.filter((pod) => pod.node === node.name && pod.phase === 'Running').length === 1) &&
    pods.length === nodes.length;
  return verdict(
    ok,
    `DaemonSet ${daemonSet} to run exactly one Running pod on each of the ${nodes.length} nodes`,
    `${pods.length} pods; ${perNode.join(', ')}`,
    [],
    [listing('pods', pods), listing('nodes', nodes)],
  );
}

/**
 * Compares what Calico recorded of the pod (its CNI plugin's annotations and the IPAM
 * allocation of its handle, or calicoctl's endpoint) with what the pod and its node really
 * show. The interface is compared where a Calico tool reports one; Kubernetes-datastore mode
 * stores none, and it is never recomputed from the naming rule (that is L02-10's claim).
 */
export async function workloadEndpointMatches(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [endpoints, side] = await Promise.all([cluster.workloadEndpoints(), hostSideOf(cluster, pod)]);
  const endpoint = endpoints.find((candidate) => candidate.namespace === pod.namespace && candidate.pod === pod.name);
  const shown = `node ${pod.node}, IP ${side.podAddresses.join(' ') || 'none'}, interface ${side.host?.name ?? 'none'}`;
  if (!endpoint) {
    return verdict(
      false,
      `Calico's record of ${describePod(pod)} to match what the pod shows (${shown})`,
      'Calico recorded no endpoint for the pod',
      side.evidence,
    );
  }
  const ip = endpoint.ipNetworks[0] ?? '';
  const findings = [
    endpoint.ipNetworks.length === 1 && side.podAddresses.includes(ip) ? undefined : `IP ${endpoint.ipNetworks.join(' ') || 'none'}`,
    endpoint.node === pod.node ? undefined : `node ${endpoint.node ?? 'none'}`,
    endpoint.allocation === undefined
      ? `no IPAM allocation for handle k8s-pod-network.${endpoint.containerID ?? '<no containerID>'}`
      : undefined,
    endpoint.allocation && `${endpoint.allocation.ip}/32` !== ip ? `IPAM allocation ${endpoint.allocation.ip} for its handle` : undefined,
    endpoint.interfaceName !== undefined && endpoint.interfaceName !== side.host?.name ? `interface ${endpoint.interfaceName}` : undefined,
  ].filter((finding): finding is string => finding !== undefined);
  const interfaceNote =
    endpoint.interfaceName === undefined
      ? ' (no interface: Calico stores none in Kubernetes-datastore mode and no calicoctl computed one)'
      : `, interface ${endpoint.interfaceName}`;
  const recorded = `node ${endpoint.node ?? 'none'}, IP ${endpoint.ipNetworks.join(' ') || 'none'}, handle ${endpoint.allocation?.handle ?? 'none'} → ${endpoint.allocation?.ip ?? 'nothing'}${interfaceNote}; from ${endpoint.source}`;
  return verdict(
    findings.length === 0,
    `Calico's record of ${describePod(pod)} (node, IP as a /32, IPAM allocation of its handle${endpoint.interfaceName === undefined ? '' : ', host interface'}) to match what the pod shows (${shown})`,
    findings.length ? `${findings.join('; ')} — recorded ${recorded}` : recorded,
    side.evidence,
    [listing('workload-endpoint', endpoint)],
  );
}
