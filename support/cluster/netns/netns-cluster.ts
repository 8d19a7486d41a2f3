/**
 * The Cluster port over the embedded lab. It attaches to a running lab through its state
 * file, so any process (a cucumber worker, a second terminal) sees the same lab.
 */
import { readFile, rm } from 'node:fs/promises';
import { run, startBackground } from '../../exec/run.ts';
import {
  EnvironmentError,
  checkScratchFile,
  type OutsideHost,
  describeTarget,
  type BackgroundOptions,
  type BackgroundProcess,
  type ContainerState,
  type BgpControl,
  type BgpSpeaker,
  type ExecOptions,
  type ExecResult,
  type ExecTarget,
  type BlockAffinity,
  type IpPool,
  type IpReservation,
  NetworkAttachmentDefinition,
  type IpamBlock,
  type PodEvent,
  type NodeInfo,
  type PodInfo,
  type PodRequest,
  type WorkloadEndpoint,
  type EndpointSliceInfo,
  type ServiceInfo,
} from '../../domain.ts';
import { type Cluster } from '../cluster.ts';
import { endpointSliceInfo, serviceInfo } from './services.ts';
import { endpointSlices } from '../../lab/model.ts';
import { serverLogs } from '../../lab/servers/servers.ts';
import { containerStatus, withKubeletReadiness } from '../../lab/kubelet/kubelet.ts';
import { Ipam } from '../../lab/ipam/ipam.ts';
import {
  labAnnotatePod,
  labApplyIpReservation,
  labConfigureRouter,
  labCreatePod,
  labDeleteIpReservation,
  labDeletePod,
  labLabelNode,
  labSetServiceLoadBalancerIPs,
  labPatchDaemonSet,
  labSetInstallationMtu,
  labPatchFelixConfiguration,
  labSetPoolNatOutgoing,
} from '../../lab/lab.ts';
import { BIRDC, VTYSH, birdFiles, frrFiles } from '../../lab/bgp/daemons.ts';
import { defaultBgpConfiguration, type CalicoBgpObjects } from '../../net/calico-bgp.ts';
import { findNode, findPendingPod, findPod, internalIPOf, type LabPod, type LabState, type PendingPod } from '../../lab/model.ts';
import { onNode } from '../../lab/cni/node-fs.ts';
import { OPERATOR_FELIX_CONFIGURATION } from '../../lab/felix/felix-configuration.ts';
import { labScratchPrefix, outsideNetns, routerNetns } from '../../lab/naming.ts';
import { hasOutsideWorld, OUTSIDE_HOST_IP } from '../../lab/topology/outside.ts';
import { operatorIpPool } from '../../lab/ipam/pool-resource.ts';
import { readState, readStateSnapshot, statePath } from '../../lab/state.ts';
import { endpointsFromRecords } from '../calico-records.ts';

/**
 * The lab's controllers, kube-proxy, Felix and DNS server act when a change is made, and its
 * redis replicas reconnect within a second or two: by 15 s (on a busy 2-core machine) it has
 * settled, where a real cluster takes the course's windows (CoreDNS's 30 s cache, for one).
 */
export const LAB_SETTLES_WITHIN_MS = 15_000;

export class NetnsCluster implements Cluster {
  readonly target = 'netns' as const;
  readonly settlesWithinMs = LAB_SETTLES_WITHIN_MS;
  /** The lab's BGP changes resolve once every session and route has settled (support/lab/bgp/convergence.ts). */
  readonly bgpSettlesWithinMs = 0;
  readonly captureFilePrefix: string;
  private readonly background = new Set<BackgroundProcess>();

  constructor(
    readonly labName: string,
    readonly workloadNamespace = 'default',
  ) {
    this.captureFilePrefix = labScratchPrefix(labName, 'capture-');
  }

  /** Fails with an environment error when no lab of that name runs. */
  static attach(labName: string): NetnsCluster {
    if (!readState(labName)) {
      throw new EnvironmentError(
        `no embedded lab named ${labName} is running (${statePath(labName)} is missing)`,
        'start one with npm run lab:up, or let npm run e2e bring it up',
      );
    }
    return new NetnsCluster(labName);
  }

  describe(): string {
    const state = this.state();
    return `embedded lab "${state.name}": ${state.nodes.length} nodes, ${state.pods.length} pods in network namespaces (state ${statePath(state.name)})`;
  }

  /** As the state file holds it now (another process may have created or deleted pods); frozen, for reading. */
  state(): Readonly<LabState> {
    const state = readStateSnapshot(this.labName);
    if (!state) throw new EnvironmentError(`the embedded lab ${this.labName} has gone away`, 'bring it up again with npm run lab:up');
    return state;
  }

  async nodes(): Promise<NodeInfo[]> {
    return this.state().nodes.map((node) => ({
      name: node.name,
      role: node.role,
      internalIP: internalIPOf(node),
      ready: node.ready !== false,
      ...(node.labels ? { labels: { ...node.labels } } : {}),
      // What calico-node would record on the node (see model.ts): its address, tunnel address and MAC.
      calico: {
        ipv4Address: node.calicoAddress.cidr,
        ...(node.tunnelIP ? { vxlanTunnelAddr: node.tunnelIP } : {}),
        ...(node.tunnelMac ? { vxlanTunnelMac: node.tunnelMac } : {}),
        ...(node.wireguard
          ? { wireguardPublicKey: node.wireguard.publicKey, wireguardInterfaceIPv4Address: node.wireguard.interfaceIP }
          : {}),
      },
    }));
  }

  async pods(filter: { namespace?: string; workload?: string } = {}): Promise<PodInfo[]> {
    const state = this.state();
    const wanted = (pod: { namespace: string; workload: string }) =>
      (filter.namespace === undefined || pod.namespace === filter.namespace) &&
      (filter.workload === undefined || pod.workload === filter.workload);
    return [...state.pods.filter(wanted).map((pod) => podInfo(pod, state.name)), ...state.pendingPods.filter(wanted).map(pendingPodInfo)];
  }

  async exec(target: ExecTarget, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return run(this.argvIn(target, argv), { where: describeTarget(target), timeoutMs: options.timeoutMs }).then((result) => ({
      ...result,
      argv,
    }));
  }

  async takeScratchFile(target: ExecTarget, path: string): Promise<Buffer> {
    checkScratchFile(this.captureFilePrefix, path, `lab ${this.labName}`);
    // A node's commands run in its own mount namespace (nsenter --mount), which this process
    // reaches through its holder's root; the other targets' commands see this machine's /tmp.
    const seenHere = target.kind === 'node' ? `/proc/${this.nodeHolder(target.name)}/root${path}` : path;
    try {
      return await readFile(seenHere);
    } finally {
      await rm(seenHere, { force: true });
    }
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
    return spec.pools.map((pool) => ({ ...pool, allowedUses: [...pool.allowedUses], mtu, resource: operatorIpPool(pool) }));
  }

  async blockAffinities(): Promise<BlockAffinity[]> {
    return Ipam.fromState(this.state().ipam).affinities();
  }

  async calicoComponents(): Promise<{ name: string; available: boolean; degraded: boolean }[]> {
    throw new EnvironmentError(
      'the embedded lab runs no Tigera operator, so it has no TigeraStatus to read',
      'claims about the operator are @live-only',
    );
  }

  async installationPools(): Promise<Omit<IpPool, 'mtu'>[]> {
    return this.state().spec.installationPools.map((pool) => ({ ...pool, allowedUses: [...pool.allowedUses] }));
  }

  async applyIpReservation(reservation: IpReservation): Promise<boolean> {
    return labApplyIpReservation(this.labName, reservation);
  }

  async deleteIpReservation(name: string): Promise<void> {
    await labDeleteIpReservation(this.labName, name);
  }

  async networkAttachmentDefinitions(namespace: string): Promise<NetworkAttachmentDefinition[]> {
    return (this.state().spec.nads ?? [])
      .filter((nad) => nad.namespace === namespace)
      .map((nad) => ({ name: nad.name, namespace: nad.namespace, config: nad.config }));
  }

  async ipReservations(): Promise<IpReservation[]> {
    return this.state().ipam.reservations.map((reservation) => ({ name: reservation.name, reservedCIDRs: [...reservation.cidrs] }));
  }

  async bgpObjects(): Promise<CalicoBgpObjects> {
    return structuredClone(this.state().spec.bgp?.objects ?? { configuration: defaultBgpConfiguration(), peers: [], pools: [] });
  }

  async bgpControl(speaker: BgpSpeaker): Promise<BgpControl> {
    const state = this.state();
    if (!state.spec.bgp || !state.spec.routed)
      throw new EnvironmentError(
        `lab ${state.name} (topology ${state.spec.topology}) runs no BGP`,
        'run the scenario on a topology with BGP (@topology:calico-bgp, …)',
      );
    if (speaker.kind === 'router')
      return { target: speaker, argv: [VTYSH, '--vty_socket', frrFiles(state.name, state.spec.routed.router.node).sockets], daemon: 'frr' };
    findNode(state, speaker.name);
    return { target: speaker, argv: [BIRDC, '-s', birdFiles(state.name, speaker.name).socket], daemon: 'bird' };
  }

  /** The lab has one router per topology: the one its lab was built with. */
  async configureRouter(_router: Extract<BgpSpeaker, { kind: 'router' }>, lines: string[]): Promise<void> {
    await labConfigureRouter(this.labName, lines);
  }

  async setServiceLoadBalancerIPs(cidrs: string[]): Promise<void> {
    await labSetServiceLoadBalancerIPs(this.labName, cidrs);
  }

  async labelNode(name: string, changes: Record<string, string | null>): Promise<void> {
    await labLabelNode(this.labName, name, changes);
  }

  async ipamBlocks(): Promise<IpamBlock[]> {
    return Ipam.fromState(this.state().ipam).view();
  }

  /** Calico's records as the lab keeps them: annotations on its pods, attributes on its allocations. */
  async workloadEndpoints(): Promise<WorkloadEndpoint[]> {
    const state = this.state();
    const pods = state.pods.map((pod) => ({
      namespace: pod.namespace,
      name: pod.name,
      hostNetwork: pod.hostNetwork,
      annotations: pod.annotations ?? {},
    }));
    return endpointsFromRecords(pods, Ipam.fromState(state.ipam).view(), "the lab's pod annotations and IPAM allocations");
  }

  async dnsServiceIP(): Promise<string> {
    return this.state().dnsServiceIP;
  }

  async serviceCIDR(): Promise<string> {
    return this.state().spec.serviceSubnet;
  }

  async setPoolNatOutgoing(pool: string, natOutgoing: boolean): Promise<void> {
    await labSetPoolNatOutgoing(this.labName, pool, natOutgoing);
  }

  async outsideHost(): Promise<OutsideHost> {
    const state = this.state();
    if (!hasOutsideWorld(state))
      throw new EnvironmentError(
        `lab ${state.name} (topology ${state.spec.topology}) has no outside world: its nodes route through the router`,
      );
    return {
      address: OUTSIDE_HOST_IP,
      what: "the lab's outside host",
      capture: { target: { kind: 'outside', name: 'host' }, iface: 'eth0' },
    };
  }

  async felixConfiguration(): Promise<Record<string, unknown>> {
    return { ...OPERATOR_FELIX_CONFIGURATION, ...(this.state().felixConfiguration ?? {}) };
  }

  async patchFelixConfiguration(patch: Record<string, unknown>): Promise<void> {
    await labPatchFelixConfiguration(this.labName, patch);
  }

  async installationMtu(): Promise<number | undefined> {
    return this.state().spec.installationMtu;
  }

  async setInstallationMtu(mtu: number | undefined): Promise<void> {
    await labSetInstallationMtu(this.labName, mtu);
  }

  async services(filter: { namespace?: string } = {}): Promise<ServiceInfo[]> {
    return (this.state().services ?? [])
      .filter((service) => filter.namespace === undefined || service.namespace === filter.namespace)
      .map(serviceInfo);
  }

  async endpointSlices(filter: { namespace?: string; service?: string } = {}): Promise<EndpointSliceInfo[]> {
    // As the EndpointSlice controller does, from the pods' Ready condition as the kubelet reports it.
    return endpointSlices(withKubeletReadiness(this.state()))
      .filter(
        (slice) =>
          (filter.namespace === undefined || slice.namespace === filter.namespace) &&
          (filter.service === undefined || slice.labels['kubernetes.io/service-name'] === filter.service),
      )
      .map(endpointSliceInfo);
  }

  async podLogs(namespace: string, name: string): Promise<string> {
    const state = this.state();
    const pod = findPod(state, namespace, name);
    if (!pod) throw new EnvironmentError(`pod ${namespace}/${name} does not exist in lab ${state.name}`);
    return serverLogs(state.name, pod);
  }

  async createPod(request: PodRequest): Promise<PodInfo> {
    const pod = await labCreatePod(this.labName, request);
    if (pod) return podInfo(pod, this.labName);
    const state = this.state();
    const pending = findPendingPod(state, request.namespace, request.name) as PendingPod;
    if (request.allowSandboxFailure) return pendingPodInfo(pending);
    const event = state.events[`${request.namespace}/${request.name}`]?.at(-1);
    await labDeletePod(this.labName, request.namespace, request.name);
    throw new EnvironmentError(
      `pod ${request.namespace}/${request.name} could not be created in lab ${state.name}: ${event?.message ?? 'no address'}`,
    );
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await labDeletePod(this.labName, namespace, name);
  }

  async podEvents(namespace: string, name: string): Promise<PodEvent[]> {
    return [...(this.state().events[`${namespace}/${name}`] ?? [])];
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo> {
    const pod = await labAnnotatePod(this.labName, namespace, name, annotations);
    return 'ip' in pod ? podInfo(pod, this.labName) : pendingPodInfo(pod);
  }

  async patchDaemonSetPodAnnotations(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo[]> {
    return (await labPatchDaemonSet(this.labName, namespace, name, annotations)).map((pod) => podInfo(pod, this.labName));
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
    if (target.kind === 'router') {
      const state = this.state();
      if (!state.spec.routed) throw new EnvironmentError(`lab ${state.name} (topology ${state.spec.topology}) has no router`);
      return ['ip', 'netns', 'exec', routerNetns(state.name), ...argv];
    }
    if (target.kind === 'outside') {
      const state = this.state();
      if (!hasOutsideWorld(state)) throw new EnvironmentError(`lab ${state.name} (topology ${state.spec.topology}) has no outside world`);
      return ['ip', 'netns', 'exec', outsideNetns(state.name), ...argv];
    }
    return ['ip', 'netns', 'exec', this.podNetns(target), ...argv];
  }

  /** The PID of the process that holds a node's mount namespace, checked as onNode checks it. */
  private nodeHolder(name: string): number {
    const node = findNode(this.state(), name);
    onNode(node, []); // throws when the holder is gone
    return node.holderPid as number;
  }

  private podNetns(target: Extract<ExecTarget, { kind: 'pod' }>): string {
    const state = this.state();
    const pod = findPod(state, target.namespace, target.name);
    if (!pod) throw new EnvironmentError(`pod ${target.namespace}/${target.name} does not exist in lab ${state.name}`);
    return (target.container && pod.containerNetns?.[target.container]) || pod.netns;
  }
}

function podInfo(pod: LabPod, labName: string): PodInfo {
  return {
    namespace: pod.namespace,
    name: pod.name,
    node: pod.node,
    ip: pod.ip,
    phase: 'Running',
    containers: pod.containers.map((name) => containerInfo(labName, pod, name)),
    workload: pod.workload,
    owner:
      pod.ownerKind === 'DaemonSet'
        ? { kind: 'DaemonSet', name: pod.workload }
        : pod.ownerKind === 'Pod'
          ? undefined
          : { kind: pod.ownerKind, name: pod.ownerName ?? pod.workload },
    hostNetwork: pod.hostNetwork,
    labels: pod.labels,
    annotations: { ...pod.annotations },
  };
}

/**
 * A container as the kubelet reports it: for one the lab runs a process for, its process's state
 * and restarts, Ready only while it runs (and the model does not hold it unready); for the
 * others, the model's readiness.
 */
function containerInfo(labName: string, pod: LabPod, name: string): ContainerState {
  const status = containerStatus(labName, pod, name);
  // A container the lab runs no process for never restarts; a kubelet reports its count all the same.
  if (!status) return { name, ready: pod.ready !== false, restartCount: 0 };
  return {
    name,
    ready: pod.ready !== false && status.ready,
    ...(status.waiting ? { waiting: status.waiting } : {}),
    restartCount: status.restartCount,
  };
}

/** A pod whose sandbox never came up: Pending, its containers waiting in ContainerCreating, no IP. */
function pendingPodInfo(pod: PendingPod): PodInfo {
  return {
    namespace: pod.namespace,
    name: pod.name,
    node: pod.node,
    ip: undefined,
    phase: 'Pending',
    containers: pod.containers.map((name) => ({ name, ready: false, waiting: 'ContainerCreating' })),
    workload: pod.workload,
    owner: pod.ownerKind === 'DaemonSet' ? { kind: 'DaemonSet', name: pod.workload } : undefined,
    hostNetwork: false,
    labels: pod.labels,
    annotations: { ...pod.annotations },
  };
}
