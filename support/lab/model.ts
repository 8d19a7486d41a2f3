/**
 * The lab's control plane: which nodes and pods exist, where pods run and which addresses
 * they hold. Pure data; the wiring module turns it into kernel objects, and the state file
 * keeps it for other processes.
 */
import { intToIp, nthAddress, parseCidr } from '../net/cidr.ts';
import type { NodeRole, PodEvent } from '../domain.ts';
import { Ipam, type IpamState } from './ipam/ipam.ts';
import { calicoPodAnnotations, handleOf, ipamRequestOf, newContainerID } from './ipam/request.ts';
import {
  DUPLICATE_FIXED_ADDRESS_FAULT,
  IGNORES_RESERVATIONS_FAULT,
  IP_ADDRS_IGNORED_FAULT,
  POOLS_ANNOTATION_IGNORED_FAULT,
} from './faults/behaviours.ts';
import { randomInt } from 'node:crypto';
import { assignLoadBalancerIPs } from './loadbalancer/lb-ipam.ts';
import { caliInterfaceName, generatedPodName, nodeNetns, podNetns } from './naming.ts';
import { usesVxlanTunnel, workloadMtu, type LabSpec } from './spec.ts';
import { type WorkloadSpec } from './workload-spec.ts';
import { calicoAddressOf, tunnelMacOf } from './topology/addresses.ts';
import {
  admitServices,
  apiserverEndpointSlice,
  builtInServiceSpecs,
  endpointSliceOf,
  type LabEndpointSlice,
  type LabService,
  type PodPorts,
} from './services/services.ts';

export interface LabNode {
  name: string;
  role: NodeRole;
  /** The node's eth0 address on the Kind network. */
  ip: string;
  /** The kubelet's node-ip when the Kind config sets one (the InternalIP); else eth0's. */
  nodeIP?: string;
  /**
   * The address Calico autodetects for the node, with its prefix, and the interface holding
   * it: what calico-node records as the Node's spec.bgp.ipv4Address (annotation
   * projectcalico.org/IPv4Address). eth0's on the Kind network, eth1's in the containerlab family.
   */
  calicoAddress: { cidr: string; dev: string };
  netns: string;
  /** The VXLAN tunnel address Calico gives the node, if the pool uses VXLAN. */
  tunnelIP: string | undefined;
  /** The MAC of the node's vxlan.calico, as calico-node records it (spec.vxlanTunnelMACAddr). */
  tunnelMac?: string;
  /** The kubelet's Ready condition; absent means Ready (only a fault sets it false). */
  ready?: boolean;
  /** The Kubernetes Node's labels beyond the standard ones (from the Kind config, or set by a scenario). */
  labels?: Record<string, string>;
  /** PID of the process holding the node's mount namespace (its /etc/cni and /opt/cni); see node-fs.ts. */
  holderPid?: number;
  /** Felix's WireGuard on the node, while the FelixConfiguration enables it (felix/wireguard.ts). */
  wireguard?: NodeWireguard;
}

export interface LabPod {
  namespace: string;
  name: string;
  workload: string;
  ownerKind: 'DaemonSet' | 'Pod' | 'ReplicaSet' | 'StatefulSet';
  /** The owning controller's name when it is not the workload's own (a Deployment's ReplicaSet `<deployment>-<hash>`). */
  ownerName?: string;
  /** Named container ports (for a Service's named targetPort). */
  ports?: PodPorts;
  /** spec.hostname and spec.subdomain (a StatefulSet's pods), for EndpointSlice hostnames and DNS. */
  hostname?: string;
  subdomain?: string;
  /** Absent means ClusterFirst; Default gives the pod its node's resolv.conf (CoreDNS's own pods). */
  dnsPolicy?: 'Default';
  node: string;
  ip: string;
  /** The network namespace the pod's processes run in (its node's, for a hostNetwork pod). */
  netns: string;
  /** Calico's host-side veth; undefined for a hostNetwork pod. */
  hostInterface: string | undefined;
  hostNetwork: boolean;
  labels: Record<string, string>;
  containers: string[];
  /** Whether the containers pass their readiness checks; absent means ready (only a fault sets it false). */
  ready?: boolean;
  /** A container that does not share the pod's namespace (only a fault does that): container → netns. */
  containerNetns?: Record<string, string>;
  /** The pod's annotations: its manifest's, and those Calico's CNI plugin writes (podIP, podIPs, containerID). */
  annotations: Record<string, string>;
  /** Multus' secondary interfaces (net1, …) of the NADs its annotation names, with their addresses. */
  secondary?: SecondaryNetwork[];
}

/** One secondary interface of a pod, as Multus records it in the network-status annotation (multus/multus.ts). */
export interface SecondaryNetwork {
  network: string;
  ifname: string;
  /** The address with its prefix, as the IPAM handed it out. */
  cidr: string;
}

/** What a node's WireGuard holds in the model: keys, interface address, the process (felix/wireguard.ts). */
export interface NodeWireguard {
  privateKey: string;
  publicKey: string;
  interfaceIP: string;
  pid?: number;
}

/** A pod whose sandbox could not be created (the CNI plugin refused it): no address, no namespace. */
export interface PendingPod {
  namespace: string;
  name: string;
  workload: string;
  ownerKind: LabPod['ownerKind'];
  node: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: string[];
}

export interface LabState {
  version: 1;
  name: string;
  createdAt: string;
  spec: LabSpec;
  mtu: number;
  dnsServiceIP: string;
  nodes: LabNode[];
  pods: LabPod[];
  /** Pods that stay ContainerCreating: their CNI ADD failed. */
  pendingPods: PendingPod[];
  /** Events by pod (`<namespace>/<name>`), oldest first. */
  events: Record<string, PodEvent[]>;
  /** Services as the API server holds them (kubeadm's kubernetes and kube-dns, then the fixtures'). */
  services: LabService[];
  /** EndpointSlices frozen by a fault (the EndpointSlice controller stopped); absent: computed from the pods. */
  staleEndpointSlices?: LabEndpointSlice[];
  ipam: IpamState;
  /** PID of the API server stand-in (servers/apiserver.ts), where the topology has one. */
  apiServerPid?: number;
  /** Faults applied on purpose (fault injection), by name, in order. */
  faults: string[];
  /** The PID of the process that brought the lab up (absent in state files of older versions). */
  owner?: number;
  /** Asked to outlive its owner (lab:up, e2e --keep): only such a lab is attached to by a later run. */
  kept?: boolean;
  /** The lab's BGP daemons (BIRD per node, FRR on the router), when the topology configures BGP. */
  bgp?: { pids: number[]; convergenceMs: number };
  /** FelixConfiguration `default`'s spec as the API holds it (absent: as the operator wrote it). */
  felixConfiguration?: Record<string, unknown>;
  /** The model as it was before the first fault, to undo faults by rebuilding from it. */
  pristine?: { nodes: LabNode[]; pods: LabPod[]; ipam: IpamState; spec: LabSpec; services?: LabService[] };
}

export const TUNNEL_HOLDER_PREFIX = 'vxlan-tunnel-addr:';

/** Kubeadm gives the DNS Service the tenth address of the Service subnet. */
export function dnsServiceIPOf(serviceSubnet: string): string {
  return nthAddress(parseCidr(serviceSubnet), 10);
}

/** Builds the lab's model from its spec: nodes first (with tunnel addresses), then workloads in file order. */
export function planLab(spec: LabSpec, random?: (max: number) => number): LabState {
  const network = parseCidr(spec.nodeNetwork);
  const ipam = new Ipam(
    spec.pools.map((pool) => ({
      name: pool.name,
      cidr: pool.cidr,
      blockSize: pool.blockSize,
      nodeSelector: pool.nodeSelector,
      allowedUses: pool.allowedUses,
    })),
    [],
    spec.ipReservations.map((reservation) => ({ name: reservation.name, cidrs: reservation.reservedCIDRs })),
    spec.name,
  );
  const nodes: LabNode[] = spec.nodes.map((node, index) => {
    // .1 is the network's gateway, as on Docker's kind network.
    const ip = intToIp(network.base + 2 + index);
    const vxlan = usesVxlanTunnel(spec.pool);
    return {
      ...node,
      ip,
      calicoAddress: calicoAddressOf(spec, node.name, ip),
      netns: nodeNetns(spec.name, node.name),
      // calico-node's tunnel-IP allocator: handle vxlan-tunnel-addr-<node>, attribute type vxlanTunnelAddress.
      tunnelIP: vxlan
        ? ipam.assign(node.name, `${TUNNEL_HOLDER_PREFIX}${node.name}`, {
            use: 'Tunnel',
            attributes: { handle_id: `vxlan-tunnel-addr-${node.name}`, node: node.name, type: 'vxlanTunnelAddress' },
          })
        : undefined,
      ...(vxlan ? { tunnelMac: tunnelMacOf(spec.name, node.name) } : {}),
    };
  });
  const state: LabState = {
    version: 1,
    name: spec.name,
    createdAt: new Date().toISOString(),
    spec,
    mtu: workloadMtu(spec),
    dnsServiceIP: dnsServiceIPOf(spec.serviceSubnet),
    nodes,
    pods: [],
    pendingPods: [],
    events: {},
    services: [],
    ipam: ipam.toState(),
    faults: [],
  };
  for (const workload of spec.workloads) {
    if (workload.kind === 'Deployment') {
      for (let replica = 0; replica < (workload.replicas ?? 1); replica++) addReplica(state, workload, random);
      continue;
    }
    if (workload.kind === 'StatefulSet') {
      for (let ordinal = 0; ordinal < (workload.replicas ?? 1); ordinal++) addOrdinal(state, workload, ordinal);
      continue;
    }
    for (const node of eligibleNodes(state, workload)) {
      const name = workload.kind === 'Pod' ? workload.name : uniquePodName(state, workload, random);
      addPod(state, { workload, name, node: node.name });
    }
  }
  // After the pods, so that a seeded `random` names pods as it did before Services existed.
  state.services = admitServices(spec.serviceSubnet, [...builtInServiceSpecs(), ...(spec.services ?? [])], random ?? randomInt, (service) =>
    generatedPodName(service, random),
  );
  const balanced = assignLoadBalancerIPs(state.services, state.ipam);
  state.services = balanced.services;
  state.ipam = balanced.ipam;
  return state;
}

/** A Deployment's ReplicaSet, named as the controller names it. */
export function replicaSetName(workload: Pick<WorkloadSpec, 'name' | 'templateHash'>): string {
  return `${workload.name}-${workload.templateHash}`;
}

/** One more pod of a Deployment (its ReplicaSet's `<rs>-<5 chars>`), on the least loaded worker it may run on. */
export function addReplica(state: LabState, workload: WorkloadSpec, random?: (max: number) => number): LabPod {
  const replicaSet = replicaSetName(workload);
  const name = uniquePodName(state, { ...workload, name: replicaSet }, random);
  const node = workload.toleratesControlPlane ? leastLoaded(state.nodes, state) : scheduleOnWorker(state);
  return addPod(state, { workload, name, node: node.name });
}

/**
 * A StatefulSet's pod `<name>-<ordinal>`, with spec.hostname = its name and spec.subdomain =
 * the StatefulSet's serviceName (pkg/controller/statefulset/stateful_set_utils.go
 * initIdentity), on the least loaded node it may run on.
 */
export function addOrdinal(state: LabState, workload: WorkloadSpec, ordinal: number, node?: string): LabPod {
  const name = `${workload.name}-${ordinal}`;
  // The scheduler's default topology spread: the node with the fewest pods of the same set, then the least loaded.
  const eligible = workload.toleratesControlPlane ? state.nodes : state.nodes.filter((candidate) => candidate.role === 'worker');
  const siblings = (candidate: LabNode) =>
    state.pods.filter((pod) => pod.workload === workload.name && pod.namespace === workload.namespace && pod.node === candidate.name)
      .length;
  const fewest = Math.min(...eligible.map(siblings));
  const chosen =
    node ??
    leastLoaded(
      eligible.filter((candidate) => siblings(candidate) === fewest),
      state,
    ).name;
  return addPod(state, { workload, name, node: chosen });
}

function leastLoaded(nodes: LabNode[], state: LabState): LabNode {
  const load = (node: LabNode) => state.pods.filter((pod) => pod.node === node.name).length;
  return nodes.reduce((best, node) => (load(node) < load(best) ? node : best));
}

/** The EndpointSlice of each Service with a selector, computed from the pods as the controller does. */
export function endpointSlices(state: LabState): LabEndpointSlice[] {
  if (state.staleEndpointSlices) return state.staleEndpointSlices;
  const controlPlane = state.nodes.find((node) => node.role === 'control-plane');
  return (state.services ?? []).flatMap((service) => {
    if (service.namespace === 'default' && service.name === 'kubernetes' && controlPlane) return [apiserverEndpointSlice(controlPlane)];
    return endpointSliceOf(service, state.pods) ?? [];
  });
}

function eligibleNodes(state: LabState, workload: WorkloadSpec): LabNode[] {
  if (workload.kind === 'DaemonSet') {
    return state.nodes.filter((node) => node.role === 'worker' || workload.toleratesControlPlane);
  }
  const preferred = state.nodes.find((node) => workload.preferredNodes?.includes(node.name));
  return [preferred ?? scheduleOnWorker(state)];
}

/** A bare pod goes to the worker running the fewest pods (the first such worker on a tie). */
export function scheduleOnWorker(state: LabState): LabNode {
  const workers = state.nodes.filter((node) => node.role === 'worker');
  const candidates = workers.length > 0 ? workers : state.nodes;
  const load = (node: LabNode) => state.pods.filter((pod) => pod.node === node.name).length;
  return candidates.reduce((best, node) => (load(node) < load(best) ? node : best));
}

/** A name the DaemonSet controller would generate, not taken by any pod of the lab. */
export function uniquePodName(state: LabState, workload: WorkloadSpec, random?: (max: number) => number): string {
  for (;;) {
    const name = generatedPodName(workload.name, random);
    if (!findPod(state, workload.namespace, name) && !findPendingPod(state, workload.namespace, name)) return name;
  }
}

/** The node's InternalIP, as the kubelet reports it (and as hostNetwork pods get it). */
export function internalIPOf(node: Pick<LabNode, 'ip' | 'nodeIP'>): string {
  return node.nodeIP ?? node.ip;
}

export function findPod(state: LabState, namespace: string, name: string): LabPod | undefined {
  return state.pods.find((pod) => pod.namespace === namespace && pod.name === name);
}

export function findPendingPod(state: LabState, namespace: string, name: string): PendingPod | undefined {
  return state.pendingPods.find((pod) => pod.namespace === namespace && pod.name === name);
}

export function recordEvent(state: LabState, namespace: string, name: string, event: PodEvent): void {
  (state.events[`${namespace}/${name}`] ??= []).push(event);
}

export function findNode(state: LabState, name: string): LabNode {
  const node = state.nodes.find((candidate) => candidate.name === name);
  if (!node) throw new Error(`lab ${state.name} has no node "${name}" (nodes: ${state.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

/**
 * Admits a pod to the model: an address from Calico IPAM as its annotations ask (see
 * ipam/request.ts), or its node's on hostNetwork. IPAM's refusal (IpamAssignError) is thrown
 * with the model unchanged.
 */
export function addPod(state: LabState, request: { workload: WorkloadSpec; name: string; node: string }): LabPod {
  const { workload, name } = request;
  if (findPod(state, workload.namespace, name) || findPendingPod(state, workload.namespace, name))
    throw new Error(`pod ${workload.namespace}/${name} already exists in lab ${state.name}`);
  const node = findNode(state, request.node);
  const ipam = Ipam.fromState(state.ipam);
  const annotations = { ...workload.annotations };
  let ip = internalIPOf(node);
  if (!workload.hostNetwork) {
    const containerID = newContainerID();
    // The CNI plugin's attributes of the allocation (ipam_plugin.go: AttributeNode, AttributePod, AttributeNamespace).
    const attributes = { handle_id: handleOf(containerID), namespace: workload.namespace, node: node.name, pod: name };
    const holder = `${workload.namespace}/${name}`;
    const wanted = ipamRequestOf(workload.annotations);
    if (wanted.kind === 'explicit' && !state.faults.includes(IP_ADDRS_IGNORED_FAULT)) {
      ip = ipam.assignIP(node.name, wanted.ip, holder, attributes, { overwrite: state.faults.includes(DUPLICATE_FIXED_ADDRESS_FAULT) });
    } else {
      const pools = wanted.kind === 'auto' && !state.faults.includes(POOLS_ANNOTATION_IGNORED_FAULT) ? wanted.pools : undefined;
      ip = ipam.assign(node.name, holder, { pools, attributes, ignoreReservations: state.faults.includes(IGNORES_RESERVATIONS_FAULT) });
    }
    Object.assign(annotations, calicoPodAnnotations(ip, containerID));
  }
  const pod: LabPod = {
    namespace: workload.namespace,
    name,
    workload: workload.name,
    ownerKind: workload.kind === 'Deployment' ? 'ReplicaSet' : workload.kind,
    ...(workload.kind === 'Deployment' ? { ownerName: replicaSetName(workload) } : {}),
    ...(workload.kind === 'StatefulSet' ? { hostname: name, ...(workload.serviceName ? { subdomain: workload.serviceName } : {}) } : {}),
    ...(workload.dnsPolicy === 'Default' ? { dnsPolicy: 'Default' as const } : {}),
    ...(workload.ports && Object.keys(workload.ports).length ? { ports: { ...workload.ports } } : {}),
    node: node.name,
    ip,
    netns: workload.hostNetwork ? node.netns : podNetns(state.name, workload.namespace, name),
    hostInterface: workload.hostNetwork ? undefined : caliInterfaceName(workload.namespace, name),
    hostNetwork: workload.hostNetwork,
    labels: { ...workload.labels },
    containers: workload.containers.length > 0 ? [...workload.containers] : [name],
    annotations,
  };
  state.ipam = ipam.toState();
  state.pods.push(pod);
  return pod;
}

/** Takes a pod out of the model and releases its address (unless the IPAM is leaking, a fault). */
export function removePod(state: LabState, namespace: string, name: string, { release = true } = {}): LabPod {
  const pod = findPod(state, namespace, name);
  if (!pod) throw new Error(`lab ${state.name} has no pod ${namespace}/${name}`);
  if (!pod.hostNetwork && release) {
    const ipam = Ipam.fromState(state.ipam);
    ipam.release(pod.ip);
    state.ipam = ipam.toState();
  }
  state.pods = state.pods.filter((candidate) => candidate !== pod);
  delete state.events[`${namespace}/${name}`];
  return pod;
}
