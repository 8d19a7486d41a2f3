/**
 * The lab's control plane: which nodes and pods exist, where pods run and which addresses
 * they hold. Pure data; the wiring module turns it into kernel objects, and the state file
 * keeps it for other processes.
 */
import { randomBytes } from 'node:crypto';
import { intToIp, nthAddress, parseCidr } from '../../net/cidr.ts';
import { CALICO_ANNOTATIONS, podHandle } from '../calico-records.ts';
import type { NodeRole } from '../cluster.ts';
import { Ipam, type IpamState } from './ipam.ts';
import { caliInterfaceName, generatedPodName, nodeNetns, podNetns } from './naming.ts';
import { usesVxlanTunnel, workloadMtu, type LabSpec, type WorkloadSpec } from './spec.ts';

export interface LabNode {
  name: string;
  role: NodeRole;
  ip: string;
  netns: string;
  /** The VXLAN tunnel address Calico gives the node, if the pool uses VXLAN. */
  tunnelIP: string | undefined;
  /** The kubelet's Ready condition; absent means Ready (only a fault sets it false). */
  ready?: boolean;
  /** PID of the process holding the node's mount namespace (its /etc/cni and /opt/cni); see node-fs.ts. */
  holderPid?: number;
}

export interface LabPod {
  namespace: string;
  name: string;
  workload: string;
  ownerKind: 'DaemonSet' | 'Pod';
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
  /** What Calico's CNI plugin writes on the pod (cni.projectcalico.org/containerID, podIP, podIPs). */
  annotations?: Record<string, string>;
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
  ipam: IpamState;
  /** Faults applied on purpose (fault injection), by name, in order. */
  faults: string[];
  /** The model as it was before the first fault, to undo faults by rebuilding from it. */
  pristine?: { nodes: LabNode[]; pods: LabPod[]; ipam: IpamState; spec: LabSpec };
}

export const TUNNEL_HOLDER_PREFIX = 'vxlan-tunnel-addr:';

/** Kubeadm gives the DNS Service the tenth address of the Service subnet. */
export function dnsServiceIPOf(serviceSubnet: string): string {
  return nthAddress(parseCidr(serviceSubnet), 10);
}

/** Builds the lab's model from its spec: nodes first (with tunnel addresses), then workloads in file order. */
export function planLab(spec: LabSpec, random?: (max: number) => number): LabState {
  const network = parseCidr(spec.nodeNetwork);
  const ipam = new Ipam({ cidr: spec.pool.cidr, blockSize: spec.pool.blockSize });
  const nodes: LabNode[] = spec.nodes.map((node, index) => ({
    ...node,
    // .1 is the network's gateway, as on Docker's kind network.
    ip: intToIp(network.base + 2 + index),
    netns: nodeNetns(spec.name, node.name),
    // Calico's record of the tunnel address: handle vxlan-tunnel-addr-<node>, type vxlanTunnelAddress.
    tunnelIP: usesVxlanTunnel(spec.pool)
      ? ipam.assign(node.name, `${TUNNEL_HOLDER_PREFIX}${node.name}`, { handle: `vxlan-tunnel-addr-${node.name}`, attributes: { node: node.name, type: 'vxlanTunnelAddress' } })
      : undefined,
  }));
  const state: LabState = {
    version: 1,
    name: spec.name,
    createdAt: new Date().toISOString(),
    spec,
    mtu: workloadMtu(spec),
    dnsServiceIP: dnsServiceIPOf(spec.serviceSubnet),
    nodes,
    pods: [],
    ipam: ipam.toState(),
    faults: [],
  };
  for (const workload of spec.workloads) {
    for (const node of eligibleNodes(state, workload)) {
      const name = workload.kind === 'Pod' ? workload.name : uniqueGeneratedName(state, workload, random);
      addPod(state, { workload, name, node: node.name });
    }
  }
  return state;
}

function eligibleNodes(state: LabState, workload: WorkloadSpec): LabNode[] {
  if (workload.kind === 'DaemonSet') {
    return state.nodes.filter((node) => node.role === 'worker' || workload.toleratesControlPlane);
  }
  return [scheduleOnWorker(state)];
}

/** A bare pod goes to the worker running the fewest pods (the first such worker on a tie). */
export function scheduleOnWorker(state: LabState): LabNode {
  const workers = state.nodes.filter((node) => node.role === 'worker');
  const candidates = workers.length > 0 ? workers : state.nodes;
  const load = (node: LabNode) => state.pods.filter((pod) => pod.node === node.name).length;
  return candidates.reduce((best, node) => (load(node) < load(best) ? node : best));
}

function uniqueGeneratedName(state: LabState, workload: WorkloadSpec, random?: (max: number) => number): string {
  for (;;) {
    const name = generatedPodName(workload.name, random);
    if (!findPod(state, workload.namespace, name)) return name;
  }
}

export function findPod(state: LabState, namespace: string, name: string): LabPod | undefined {
  return state.pods.find((pod) => pod.namespace === namespace && pod.name === name);
}

export function findNode(state: LabState, name: string): LabNode {
  const node = state.nodes.find((candidate) => candidate.name === name);
  if (!node) throw new Error(`lab ${state.name} has no node "${name}" (nodes: ${state.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

/** Admits a pod to the model: an address from its node's block (or the node's, on hostNetwork). */
export function addPod(state: LabState, request: { workload: WorkloadSpec; name: string; node: string }): LabPod {
  const { workload, name } = request;
  if (findPod(state, workload.namespace, name)) throw new Error(`pod ${workload.namespace}/${name} already exists in lab ${state.name}`);
  const node = findNode(state, request.node);
  const ipam = Ipam.fromState(state.ipam);
  // The sandbox ID the runtime gives the pod, and the allocation Calico's IPAM records for it.
  const containerID = randomBytes(32).toString('hex');
  const record = {
    handle: podHandle(containerID),
    attributes: { namespace: workload.namespace, node: node.name, pod: name, timestamp: new Date().toISOString() },
  };
  const ip = workload.hostNetwork ? node.ip : ipam.assign(node.name, `${workload.namespace}/${name}`, record);
  const pod: LabPod = {
    namespace: workload.namespace,
    name,
    workload: workload.name,
    ownerKind: workload.kind,
    node: node.name,
    ip,
    netns: workload.hostNetwork ? node.netns : podNetns(state.name, workload.namespace, name),
    hostInterface: workload.hostNetwork ? undefined : caliInterfaceName(workload.namespace, name),
    hostNetwork: workload.hostNetwork,
    labels: { ...workload.labels },
    containers: workload.containers.length > 0 ? [...workload.containers] : [name],
    ...(workload.hostNetwork ? {} : { annotations: { [CALICO_ANNOTATIONS.containerID]: containerID, [CALICO_ANNOTATIONS.podIP]: `${ip}/32`, [CALICO_ANNOTATIONS.podIPs]: `${ip}/32` } }),
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
  return pod;
}
