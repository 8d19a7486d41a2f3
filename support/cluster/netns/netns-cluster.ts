/**
 * The Cluster port over the embedded lab. It attaches to a running lab through its state
 * file, so any process (a cucumber worker, a second terminal) sees the same lab.
 */
import { run, startBackground } from '../../exec/run.ts';
import {
  EnvironmentError,
  describeTarget,
  type BackgroundOptions,
  type BackgroundProcess,
  type Cluster,
  type ExecOptions,
  type ExecResult,
  type ExecTarget,
  type IpPool,
  type IpamBlock,
  type NodeInfo,
  type PodInfo,
  type PodRequest,
  type WorkloadEndpoint,
} from '../cluster.ts';
import { endpointsFromRecords } from '../calico-records.ts';
import { Ipam } from './ipam.ts';
import { labCreatePod, labDeletePod } from './lab.ts';
import { findNode, findPod, type LabPod, type LabState } from './model.ts';
import { onNode } from './node-fs.ts';
import { readState, statePath } from './state.ts';

export class NetnsCluster implements Cluster {
  readonly target = 'netns' as const;
  private readonly background = new Set<BackgroundProcess>();

  constructor(readonly labName: string, readonly workloadNamespace = 'default') {}

  /** Fails with an environment error when no lab of that name runs. */
  static attach(labName: string): NetnsCluster {
    if (!readState(labName)) {
      throw new EnvironmentError(`no embedded lab named ${labName} is running (${statePath(labName)} is missing)`, 'start one with npm run lab:up, or let npm run e2e bring it up');
    }
    return new NetnsCluster(labName);
  }

  describe(): string {
    const state = this.state();
    return `embedded lab "${state.name}": ${state.nodes.length} nodes, ${state.pods.length} pods in network namespaces (state ${statePath(state.name)})`;
  }

  /** Fresh on every call: another process may have created or deleted pods. */
  state(): LabState {
    const state = readState(this.labName);
    if (!state) throw new EnvironmentError(`the embedded lab ${this.labName} has gone away`, 'bring it up again with npm run lab:up');
    return state;
  }

  async nodes(): Promise<NodeInfo[]> {
    return this.state().nodes.map((node) => ({ name: node.name, role: node.role, internalIP: node.ip, ready: node.ready !== false }));
  }

  async pods(filter: { namespace?: string; workload?: string } = {}): Promise<PodInfo[]> {
    return this.state()
      .pods.filter((pod) => (filter.namespace === undefined || pod.namespace === filter.namespace) && (filter.workload === undefined || pod.workload === filter.workload))
      .map(podInfo);
  }

  async exec(target: ExecTarget, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return run(this.argvIn(target, argv), { where: describeTarget(target), timeoutMs: options.timeoutMs }).then((result) => ({ ...result, argv }));
  }

  async startBackground(target: ExecTarget, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    const process = await startBackground(this.argvIn(target, argv), describeTarget(target), options);
    const handle: BackgroundProcess = {
      where: process.where,
      argv,
      readyLine: process.readyLine,
      stop: async () => {
        this.background.delete(handle);
        return { ...(await process.stop()), argv };
      },
    };
    this.background.add(handle);
    return handle;
  }

  async ipPools(): Promise<IpPool[]> {
    const { spec, mtu } = this.state();
    return [{ ...spec.pool, mtu }];
  }

  async ipamBlocks(): Promise<IpamBlock[]> {
    return Ipam.fromState(this.state().ipam).view();
  }

  /** Calico's records as the lab keeps them: annotations on its pods, attributes on its allocations. */
  async workloadEndpoints(): Promise<WorkloadEndpoint[]> {
    const state = this.state();
    const pods = state.pods.map((pod) => ({ namespace: pod.namespace, name: pod.name, hostNetwork: pod.hostNetwork, annotations: pod.annotations ?? {} }));
    return endpointsFromRecords(pods, Ipam.fromState(state.ipam).view(), "the lab's pod annotations and IPAM allocations");
  }

  async dnsServiceIP(): Promise<string> {
    return this.state().dnsServiceIP;
  }

  async serviceCIDR(): Promise<string> {
    return this.state().spec.serviceSubnet;
  }

  async createPod(request: PodRequest): Promise<PodInfo> {
    return podInfo(await labCreatePod(this.labName, request));
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await labDeletePod(this.labName, namespace, name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.background].map((process) => process.stop()));
  }

  /** The local command that runs `argv` in the target: a pod's namespaces, or a node's (with its own /etc/cni). */
  private argvIn(target: ExecTarget, argv: string[]): string[] {
    if (target.kind === 'node') {
      const node = findNode(this.state(), target.name);
      return onNode(node, argv);
    }
    return ['ip', 'netns', 'exec', this.podNetns(target), ...argv];
  }

  private podNetns(target: Extract<ExecTarget, { kind: 'pod' }>): string {
    const state = this.state();
    const pod = findPod(state, target.namespace, target.name);
    if (!pod) throw new EnvironmentError(`pod ${target.namespace}/${target.name} does not exist in lab ${state.name}`);
    return (target.container && pod.containerNetns?.[target.container]) || pod.netns;
  }
}

function podInfo(pod: LabPod): PodInfo {
  return {
    namespace: pod.namespace,
    name: pod.name,
    node: pod.node,
    ip: pod.ip,
    phase: 'Running',
    containers: pod.containers.map((name) => ({ name, ready: pod.ready !== false })),
    workload: pod.workload,
    owner: pod.ownerKind === 'DaemonSet' ? { kind: 'DaemonSet', name: pod.workload } : undefined,
    hostNetwork: pod.hostNetwork,
    labels: pod.labels,
  };
}
