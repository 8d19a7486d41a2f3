/**
 * The Cluster port: everything a step can ask of a cluster, whatever stands behind it
 * (a live Kind + Calico cluster, or the embedded network-namespace lab).
 *
 * Adapters implement `Cluster`; steps and probes only ever see this module's types.
 */
import { redact } from '../redact.ts';

export type TargetKind = 'kind' | 'netns';

export type NodeRole = 'control-plane' | 'worker';

export interface NodeInfo {
  name: string;
  role: NodeRole;
  internalIP: string;
  ready: boolean;
}

export interface OwnerRef {
  kind: string; // DaemonSet, ReplicaSet, …
  name: string;
}

export interface ContainerState {
  name: string;
  ready: boolean;
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
}

/** Where a command runs: inside a pod's first (or named) container, or in a node's root namespaces. */
export type ExecTarget =
  | { kind: 'pod'; namespace: string; name: string; container?: string }
  | { kind: 'node'; name: string };

export interface ExecOptions {
  /** Hard limit; a command still running then is ended and reported as timed out. */
  timeoutMs?: number;
}

/** The exit code of a command cut off by its timeout, on every target (as timeout(1) reports it). */
export const TIMED_OUT_EXIT_CODE = 124;

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

export type Encapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None';

export interface IpPool {
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: boolean;
  /** The MTU Calico gives workload interfaces in this pool, where the target knows it. */
  mtu: number | undefined;
}

export interface IpamAllocation {
  ip: string;
  /** What holds the address: `<namespace>/<pod>`, or `vxlan-tunnel-addr:<node>`. */
  holder: string;
  /** Calico's IPAM handle: `k8s-pod-network.<containerID>` for a pod, `vxlan-tunnel-addr-<node>`, … */
  handle?: string;
  /** The allocation's attributes as Calico's IPAM records them (namespace, pod, node, type, timestamp). */
  attributes?: Record<string, string>;
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
}

export interface Cluster {
  readonly target: TargetKind;
  /** One line for the run's log: which cluster, reached how. */
  describe(): string;
  /** The namespace the suite's own workloads live in. */
  readonly workloadNamespace: string;

  nodes(): Promise<NodeInfo[]>;
  pods(filter?: { namespace?: string; workload?: string }): Promise<PodInfo[]>;

  exec(target: ExecTarget, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  startBackground(target: ExecTarget, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess>;

  ipPools(): Promise<IpPool[]>;
  ipamBlocks(): Promise<IpamBlock[]>;
  workloadEndpoints(): Promise<WorkloadEndpoint[]>;
  /** The ClusterIP of the cluster DNS Service (kube-dns). */
  dnsServiceIP(): Promise<string>;
  /** The Service CIDR the API server allocates ClusterIPs from. */
  serviceCIDR(): Promise<string>;

  /** Creates a pod and resolves once it is Running and ready. */
  createPod(request: PodRequest): Promise<PodInfo>;
  /** Deletes a pod and resolves once it is gone. */
  deletePod(namespace: string, name: string): Promise<void>;

  /** Releases what this handle holds (connections, background processes). Never tears a lab down. */
  close(): Promise<void>;
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
  return target.kind === 'pod'
    ? `pod ${target.namespace}/${target.name}${target.container ? ` (container ${target.container})` : ''}`
    : `node ${target.name}`;
}
