/**
 * The project's vocabulary: what a cluster is made of (nodes, pods, pools, blocks, Services,
 * BGP speakers), what running a command gives back, and the error of an environment that cannot
 * run the suite. The ground floor: the lab, the adapters, the probes and the claims all speak
 * it, and it imports only leaves. The Cluster port itself (cluster/cluster.ts) stands above it.
 */
import type { CalicoBgpObjects } from './net/calico-bgp.ts';
import type { Encapsulation } from './net/calico.ts';
import { redact } from './redact.ts';

export type TargetKind = 'kind' | 'netns';

export type NodeRole = 'control-plane' | 'worker';

export interface NodeInfo {
  name: string;
  role: NodeRole;
  internalIP: string;
  ready: boolean;
  /** What calico-node records for the node (its Node resource), where the target knows it. */
  calico?: CalicoNodeFacts;
  /** The node's labels (the Kubernetes Node's metadata.labels), where the target knows them. */
  labels?: Record<string, string>;
}

/**
 * Calico's Node resource for a node, as the Kubernetes datastore keeps it: annotations on the
 * Kubernetes Node (projectcalico.org/IPv4Address, IPv4VXLANTunnelAddr, VXLANTunnelMACAddr).
 */
export interface CalicoNodeFacts {
  /** spec.bgp.ipv4Address: the node address Calico autodetected, with its prefix (10.10.10.11/24). */
  ipv4Address?: string;
  /** spec.ipv4VXLANTunnelAddr. */
  vxlanTunnelAddr?: string;
  /** spec.vxlanTunnelMACAddr. */
  vxlanTunnelMac?: string;
  /** status.wireguardPublicKey: what Felix publishes once the node's WireGuard device is up. */
  wireguardPublicKey?: string;
  /** spec.wireguard.interfaceIPv4Address: the address calico-node allocated for wireguard.cali. */
  wireguardInterfaceIPv4Address?: string;
}

/** The Kubernetes Node annotations the Calico Node resource lives in (libcalico-go k8s/resources/node.go). */
export const CALICO_NODE_ANNOTATIONS = {
  ipv4Address: 'projectcalico.org/IPv4Address',
  vxlanTunnelAddr: 'projectcalico.org/IPv4VXLANTunnelAddr',
  vxlanTunnelMac: 'projectcalico.org/VXLANTunnelMACAddr',
  wireguardPublicKey: 'projectcalico.org/WireguardPublicKey',
  wireguardInterfaceIPv4Address: 'projectcalico.org/IPv4WireguardInterfaceAddr',
} as const;

export interface OwnerRef {
  kind: string; // DaemonSet, ReplicaSet, …
  name: string;
}

export interface ContainerState {
  name: string;
  ready: boolean;
  /** Why a container that does not run yet waits, as kubectl's STATUS shows it (`ContainerCreating`). */
  waiting?: string;
  /** How often the kubelet restarted it (kubectl's RESTARTS); absent where nothing reports it. */
  restartCount?: number;
}

export interface PodInfo {
  namespace: string;
  name: string;
  node: string;
  /** Undefined until the pod has an address. */
  ip: string | undefined;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  containers: ContainerState[];
  /** The workload the pod belongs to: a DaemonSet's name, a bare Pod's own name. */
  workload: string;
  owner: OwnerRef | undefined;
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** An event about a pod, as `kubectl describe pod` lists them. */
export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Where a command runs: inside a pod's first (or named) container, or in a node's root namespaces. */
export type ExecTarget =
  | { kind: 'pod'; namespace: string; name: string; container?: string }
  /**
   * A node. With `tools`, the node's network namespace with the suite's tools image (tcpdump,
   * dig), for a program a node image need not have (kindest/node has neither); the node's own
   * files are not there. Each adapter decides how: the lab's nodes have every program, the kind
   * target runs it in a hostNetwork multitool pod on that node.
   */
  | { kind: 'node'; name: string; tools?: boolean }
  /**
   * The topology's router (containerlab family): a container on a live lab, a namespace in the
   * embedded one. With `tools`, the router's network namespace with the suite's tools image
   * (tcpdump), which a router image need not have (frrouting/frr has none).
   */
  | { kind: 'router'; name: string; tools?: boolean }
  /** The embedded lab's outside world: a host beyond the node network's gateway (see OutsideHost). */
  | { kind: 'outside'; name: string };

export interface ExecOptions {
  /** Hard limit; a command still running then is ended and reported as timed out. */
  timeoutMs?: number;
}

/** The exit code of a command cut off by its timeout, on every target (as timeout(1) reports it). */
export const TIMED_OUT_EXIT_CODE = 124;

/**
 * The background-process contract, the same on every target: `start…` waits this long for the
 * ready line unless told otherwise; a process outlives neither its `timeoutMs` nor this default;
 * a process cut off by its lifetime reports TIMED_OUT_EXIT_CODE and `timedOut`; one that dies
 * of a signal (stop() sends SIGINT) reports 128 + the signal's number, as a shell does.
 */
export const DEFAULT_READY_TIMEOUT_MS = 20_000;
export const DEFAULT_BACKGROUND_LIFETIME_MS = 120_000;

/** The evidence record of one command: what ran, where, and everything it said. */
export interface ExecResult {
  where: string;
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface BackgroundOptions {
  /** The process counts as ready once a line of its stdout or stderr matches. */
  readyPattern: RegExp;
  /** How long to wait for readiness before giving up (and ending the process). */
  readyTimeoutMs?: number;
  /** Upper bound on the whole life of the process. */
  timeoutMs?: number;
}

/**
 * A process started in the background (a capture). `start…` resolves only once it is
 * ready; `stop()` ends it and returns its full evidence record.
 */
export interface BackgroundProcess {
  readonly where: string;
  readonly argv: string[];
  /** The line that matched the ready pattern. */
  readonly readyLine: string;
  stop(): Promise<ExecResult>;
}

export interface IpPool {
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: boolean;
  /** Calico selector of the nodes whose pods take addresses from the pool automatically (`all()`, `!all()`). */
  nodeSelector: string;
  /** What the pool's addresses may be used for: Workload, Tunnel, LoadBalancer. */
  allowedUses: string[];
  disableBGPExport: boolean;
  /** The MTU Calico gives workload interfaces in this pool, where the target knows it. */
  mtu: number | undefined;
  /** The IPPool resource's spec and labels as the API holds them (allowedUses, vxlanMode, …), where the target has it. */
  resource?: { spec: Record<string, unknown>; labels: Record<string, string> };
}

export interface IpamAllocation {
  ip: string;
  /** What holds the address: `<namespace>/<pod>`, or `vxlan-tunnel-addr:<node>`. */
  holder: string;
  /** Calico's IPAM handle: `k8s-pod-network.<containerID>` for a pod, `vxlan-tunnel-addr-<node>`, … */
  handle?: string;
  /** The allocation's attributes as Calico stores them: `handle_id` and the secondary ones (namespace, pod, node, type). */
  attributes?: Record<string, string>;
}

/** crd.projectcalico.org/v1 BlockAffinity: a block of a pool bound to a node. */
export interface BlockAffinity {
  name: string;
  node: string;
  cidr: string;
  state: string;
  /** A string in the CRD: `"false"`. */
  deleted: string;
  /** `host`, or `virtual` for a LoadBalancer pool's block. */
  type: string;
}

/** crd.projectcalico.org/v1 IPReservation. */
/** A Multus NetworkAttachmentDefinition: its CNI configuration, the JSON text of spec.config. */
export interface NetworkAttachmentDefinition {
  name: string;
  namespace: string;
  config: string;
}

export interface IpReservation {
  name: string;
  reservedCIDRs: string[];
}

export interface IpamBlock {
  cidr: string;
  /** The node the block is affine to, if any. */
  node: string | undefined;
  allocations: IpamAllocation[];
}

/**
 * What Calico records of a pod's endpoint. In Kubernetes-datastore mode there is no stored
 * WorkloadEndpoint: Calico's CNI plugin writes the pod annotations cni.projectcalico.org/
 * {containerID, podIP, podIPs}, and its IPAM the allocation (handle k8s-pod-network.<containerID>,
 * attributes namespace, pod, node). `calicoctl get workloadendpoints` computes the endpoint
 * from those, adding the host interface name.
 */
export interface WorkloadEndpoint {
  namespace: string;
  pod: string;
  /** The sandbox the CNI plugin set up (annotation cni.projectcalico.org/containerID). */
  containerID: string | undefined;
  /** CIDRs as Calico records them: `192.168.93.201/32`. */
  ipNetworks: string[];
  /** The node Calico's IPAM recorded for the pod's address (or calicoctl's spec.node). */
  node: string | undefined;
  /** The IPAM allocation held by handle k8s-pod-network.<containerID>, if there is one. */
  allocation: { handle: string; ip: string; node: string | undefined } | undefined;
  /** The host-side interface, where a Calico tool reports it (calicoctl); the datastore stores none. */
  interfaceName: string | undefined;
  /** Where the record was read, for the evidence. */
  source: string;
}

export interface PodRequest {
  namespace: string;
  name: string;
  /** Pin to a node; otherwise the target schedules it (a worker). */
  node?: string;
  hostNetwork?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * Resolve with the pod still waiting once its sandbox could not be created (the CNI plugin
   * refused it) instead of failing; without it, only a Running and ready pod resolves.
   */
  allowSandboxFailure?: boolean;
}

export interface ServicePortInfo {
  name: string | undefined;
  port: number;
  protocol: string;
  /** A number, or the name of a container port. */
  targetPort: number | string;
  nodePort: number | undefined;
}

/** A Service as the API returns it. */
export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  /** An address, or 'None' for a headless Service. */
  clusterIP: string;
  externalIPs: string[];
  /** status.loadBalancer.ingress[].ip: the addresses a LoadBalancer implementation (Calico's LoadBalancer IPAM) gave it. */
  loadBalancerIngress: string[];
  ports: ServicePortInfo[];
  selector: Record<string, string> | undefined;
  labels: Record<string, string>;
}

export interface EndpointInfo {
  addresses: string[];
  /** conditions.ready; absent in the API means ready. */
  ready: boolean;
  hostname: string | undefined;
  nodeName: string | undefined;
  targetRef: { kind: string; namespace: string | undefined; name: string } | undefined;
}

/** An EndpointSlice (discovery.k8s.io/v1) as the API returns it. */
export interface EndpointSliceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  addressType: string;
  endpoints: EndpointInfo[];
  ports: { name: string | undefined; port: number | undefined; protocol: string | undefined }[];
}

/** A Kubernetes event, as `kubectl get events` lists it. */
export interface ClusterEvent {
  object: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen: string | undefined;
}

/** Who speaks BGP: a node's BIRD (inside calico-node on a live cluster) or the topology's router. */
export type BgpSpeaker = { kind: 'node'; name: string } | { kind: 'router'; name: string };

/** How to ask a BGP daemon: where its client runs and the client's argv up to the command. */
export interface BgpControl {
  target: ExecTarget;
  /** `birdc -s <socket>` / `birdcl -s /var/run/calico/bird.ctl`, or `vtysh [--vty_socket <dir>]`. */
  argv: string[];
  daemon: 'bird' | 'frr';
}

/**
 * A host outside every pool and outside the cluster, that the nodes reach through their
 * default route: where natOutgoing shows (lesson 01).
 */
export interface OutsideHost {
  address: string;
  /** What it is, for a verdict: "the lab's outside host", "the Docker network's gateway". */
  what: string;
  /**
   * Where a capture sees what reaches it: on the host itself, or, where the suite cannot
   * capture there, on the sending node's uplink (the last hop before the host, after the node's
   * NAT), given as 'sender-uplink'.
   */
  capture: { target: ExecTarget; iface: string } | 'sender-uplink';
}

/**
 * The environment cannot run the suite (no cluster, no privileges, a missing tool).
 * Reported apart from a claim that does not hold, and ends a run with exit code 2.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(
    message: string,
    /** What the user should do about it. */
    readonly remedy?: string,
  ) {
    super(redact(remedy ? `${message}\n  → ${remedy}` : message));
  }
}

export function describeTarget(target: ExecTarget): string {
  if (target.kind === 'pod') return `pod ${target.namespace}/${target.name}${target.container ? ` (container ${target.container})` : ''}`;
  return `${target.kind} ${target.name}${target.kind === 'node' && target.tools ? ' (tools image)' : ''}`;
}

/** Refuses a path that is not one of the suite's scratch files under `prefix` (takeScratchFile removes what it reads). */
export function checkScratchFile(prefix: string, path: string, owner: string): void {
  if (!path.startsWith(prefix) || path.slice(prefix.length).includes('/'))
    throw new Error(`takeScratchFile: ${path} is not a scratch file of ${owner} (${prefix}…)`);
}

/**
 * Where an action that changes the cluster leaves how to put the change back, before it makes
 * it (the World's `keepUndo`: the scenario's After hook runs every undo, last first, also when
 * the scenario failed).
 */
export type KeepUndo = (what: string, undo: () => Promise<void>) => void;

/** A node an action picked for the scenario to name, with what the report says of it (its BGP address, …). */
export interface NamedNode {
  node: string;
  detail: string;
}

/** A pod a scenario created, with its host-side interface as its node showed it then. */
export interface CreatedPod {
  pod: PodInfo;
  hostInterface: string | undefined;
}
