/**
 * Pods and nodes named by role, as scenarios speak of them: "a multitool-1 pod on another
 * worker node", "the node of \"source\"". Never by literal name or address.
 */
import { EnvironmentError, type ExecTarget, type NodeInfo, type PodInfo } from './domain.ts';
import { type Cluster } from './cluster/cluster.ts';
import { subnetOf } from './topology/clab.ts';
import { ClaimAssertionError, list, verdict } from './evidence.ts';

export type Placement =
  | { kind: 'role'; role: 'worker' | 'control-plane'; other: boolean }
  | { kind: 'any' }
  | { kind: 'sameNodeAs'; alias: string }
  /** A worker whose Calico node address is (or is not) on the subnet of the first pod named so far. */
  | { kind: 'subnet'; same: boolean };

export const PLACEMENT_PATTERN =
  /a worker node|another worker node|the control-plane node|any node|the node of "[^"]+"|a worker node in another subnet|another worker node in the same subnet/;

export function parsePlacement(text: string): Placement {
  if (text === 'a worker node in another subnet') return { kind: 'subnet', same: false };
  if (text === 'another worker node in the same subnet') return { kind: 'subnet', same: true };
  const sameNode = /^the node of "([^"]+)"$/.exec(text);
  if (sameNode) return { kind: 'sameNodeAs', alias: sameNode[1] as string };
  if (text === 'any node') return { kind: 'any' };
  if (text === 'the control-plane node') return { kind: 'role', role: 'control-plane', other: false };
  return { kind: 'role', role: 'worker', other: text.startsWith('another') };
}

/** A Service's name as a scenario gives it, checked once: the claims read the Service itself when they judge. */
export type ServiceName = string & { readonly service: unique symbol };

/** A DNS-1035 label, what Kubernetes accepts as a Service's name. */
const SERVICE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseServiceName(text: string): ServiceName {
  if (!SERVICE_NAME.test(text))
    throw new Error(
      `"${text}" cannot name a Service: Kubernetes names it with at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
    );
  return text as ServiceName;
}

export function describePlacement(placement: Placement): string {
  switch (placement.kind) {
    case 'any':
      return 'any node';
    case 'sameNodeAs':
      return `the node of "${placement.alias}"`;
    case 'subnet':
      return placement.same ? 'another worker node in the same subnet' : 'a worker node in another subnet';
    case 'role':
      return `${placement.other ? 'another' : 'a'} ${placement.role} node`;
  }
}

/** "192.168.93.201 (pod multitool-1-vmn9d on pod-routing-worker)" */
export function describePod(pod: PodInfo): string {
  return `${pod.ip ?? '(no IP)'} (pod ${pod.name} on ${pod.node})`;
}

export function podTarget(pod: PodInfo, container?: string): ExecTarget {
  return { kind: 'pod', namespace: pod.namespace, name: pod.name, ...(container ? { container } : {}) };
}

export function nodeTarget(node: string): ExecTarget {
  return { kind: 'node', name: node };
}

/** The topology's router by its name (its container on a live lab, its namespace in the embedded one). */
export function routerTarget(router: string): { kind: 'router'; name: string } {
  return { kind: 'router', name: router };
}

/**
 * A node's network seen with the suite's tools image: where a probe runs tcpdump or dig on a
 * node. A real node image has neither (kindest/node: kind's images/base/Dockerfile), so on a
 * live cluster this is a hostNetwork multitool pod on the node, with the image's own programs.
 */
export function nodeToolsTarget(node: string): ExecTarget {
  return { kind: 'node', name: node, tools: true };
}

/**
 * Picks a Running pod with an IP of `workload` that fits `placement`, given the pods already
 * named in the scenario. Deterministic: the first fitting pod by node name.
 */
export async function choosePod(
  cluster: Cluster,
  workload: string,
  placement: Placement,
  named: Map<string, PodInfo>,
  namespace = cluster.workloadNamespace,
): Promise<PodInfo> {
  const [pods, nodes] = await Promise.all([cluster.pods({ namespace, workload }), cluster.nodes()]);
  if (pods.length === 0) {
    throw new EnvironmentError(
      `no pod of workload "${workload}" exists in namespace ${namespace}`,
      'check that the suite’s workloads are deployed (fixtures/workloads)',
    );
  }
  const allowed = allowedNodes(nodes, placement, named);
  const fitting = pods
    .filter((pod) => allowed.has(pod.node))
    .filter((pod) => ![...named.values()].some((other) => other.namespace === pod.namespace && other.name === pod.name))
    .sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
  // Readiness is a claim of its own (L02-02); a pod only has to run and hold an address to be talked about.
  const pod = fitting.find((candidate) => candidate.phase === 'Running' && candidate.ip);
  if (!pod) {
    throw new EnvironmentError(
      `no Running ${workload} pod with an IP on ${describePlacement(placement)} (pods: ${pods.map((p) => `${p.name} on ${p.node}, ${p.phase}`).join('; ')})`,
      'the cluster needs the course’s shape: one control-plane and two workers, the DaemonSets on every node',
    );
  }
  return pod;
}

/** A node that fits `placement` (the first by name), for a pod the scenario is about to create. */
export async function chooseNode(cluster: Cluster, placement: Placement, named: Map<string, PodInfo>): Promise<string> {
  const allowed = [...allowedNodes(await cluster.nodes(), placement, named)].sort();
  if (!allowed[0]) throw new EnvironmentError(`no node fits "${describePlacement(placement)}"`);
  return allowed[0];
}

function allowedNodes(nodes: NodeInfo[], placement: Placement, named: Map<string, PodInfo>): Set<string> {
  switch (placement.kind) {
    case 'any':
      return new Set(nodes.map((node) => node.name));
    case 'sameNodeAs':
      return new Set([namedPod(named, placement.alias).node]);
    case 'role': {
      const taken = new Set([...named.values()].map((pod) => pod.node));
      return new Set(
        nodes.filter((node) => node.role === placement.role && !(placement.other && taken.has(node.name))).map((node) => node.name),
      );
    }
    case 'subnet': {
      const first = [...named.values()][0];
      if (!first) throw new Error(`"${describePlacement(placement)}" is relative to the first pod named; name one first`);
      const reference = nodeSubnet(nodes, first.node);
      const taken = new Set([...named.values()].map((pod) => pod.node));
      const fitting = nodes.filter(
        (node) => node.role === 'worker' && !taken.has(node.name) && (nodeSubnet(nodes, node.name) === reference) === placement.same,
      );
      // The scenario's topology promises such a node (a live cluster without it was skipped
      // before): Calico seeing none is a finding about the network, not a broken environment.
      if (fitting.length === 0) {
        const subnets = [...new Set(nodes.map((node) => `${node.name} ${nodeSubnet(nodes, node.name)}`))];
        throw new ClaimAssertionError(
          verdict(false, `${describePlacement(placement)} than ${first.node}'s ${reference}, by Calico's node addresses`, list(subnets)),
        );
      }
      return new Set(fitting.map((node) => node.name));
    }
  }
}

/** The subnet of a node's Calico address (spec.bgp.ipv4Address: 10.10.10.11/24 → 10.10.10.0/24). */
export function nodeSubnet(nodes: NodeInfo[], name: string): string {
  const address = nodes.find((node) => node.name === name)?.calico?.ipv4Address;
  if (!address)
    throw new EnvironmentError(
      `Calico records no address for node ${name} (annotation projectcalico.org/IPv4Address)`,
      'is calico-node running on it?',
    );
  return subnetOf(address);
}

export function namedPod(named: Map<string, PodInfo>, alias: string): PodInfo {
  const pod = named.get(alias);
  if (!pod)
    throw new Error(
      `the scenario has no pod called "${alias}" yet (named so far: ${[...named.keys()].map((k) => `"${k}"`).join(', ') || 'none'}); name it in a Given step first`,
    );
  return pod;
}
