/**
 * The kind target: the Cluster port answered by a live Kubernetes cluster with Calico.
 *
 * Objects come from the API (core objects, Calico's CRDs, the Calico API server when it is
 * there); pod commands run over exec WebSockets; node commands through the NodeShell.
 */
import { calicoBgpObjectsFrom, type CalicoBgpObjects } from '../../net/calico-bgp.ts';
import { PatchStrategy, setHeaderOptions, type KubeConfig, type V1DaemonSet, type V1Pod } from '@kubernetes/client-node';
import {
  EnvironmentError,
  checkScratchFile,
  type OutsideHost,
  type BackgroundOptions,
  type BackgroundProcess,
  type BgpControl,
  type BgpSpeaker,
  type ClusterEvent,
  type ExecOptions,
  type ExecResult,
  type ExecTarget,
  type BlockAffinity,
  type IpamBlock,
  type IpReservation,
  NetworkAttachmentDefinition,
  type PodEvent,
  type IpPool,
  type NodeInfo,
  type PodInfo,
  type PodRequest,
  type WorkloadEndpoint,
  type EndpointSliceInfo,
  type ServiceInfo,
} from '../../domain.ts';
import { type Cluster } from '../cluster.ts';
import { parseEndpointSlice, parseService } from './parse-services.ts';
import { call, callOr404, explain, makeClients, type KubeClients } from './api.ts';
import { parseInstallationPool, parseBlockAffinity, parseIpamBlock, parseIpPool, parseIpReservation } from './calico.ts';
import { endpointsFromCalicoctl, endpointsFromRecords } from '../calico-records.ts';
import { CONTROL_PLANE_LABEL, describePodState, parseNode, parsePod, podIsReady } from './parse-core.ts';
import { DEFAULT_NAMESPACE, MANAGED_BY_LABEL, MANAGED_BY_VALUE, MULTITOOL_IMAGE } from './labels.ts';
import { NodeShell, type NodeShellOptions } from './node-shell.ts';
import { PodExec } from './pod-exec.ts';
import { errorText, httpStatus, redact, type Logger } from '../../redact.ts';
import { pollUntil } from './wait.ts';
import { parseBase64 } from '../../parse/pcap.ts';
import { daemonSetRolloutStatus } from './rollout.ts';

export interface KindClusterOptions {
  kc: KubeConfig;
  /** The suite's namespace (default `podnet-e2e`; `default` mirrors the lab exactly). */
  workloadNamespace?: string;
  /** Node shell settings (mode, image, docker CLI); or a ready-made NodeShell. */
  nodeShell?: NodeShell | Omit<NodeShellOptions, 'kc' | 'core' | 'namespace' | 'log'>;
  /** Image of pods made by createPod. */
  podImage?: string;
  log?: Logger;
  requestTimeoutMs?: number;
  podReadyTimeoutMs?: number;
  podDeleteTimeoutMs?: number;
  pollIntervalMs?: number;
  /**
   * Runs `calicoctl <args>` against this cluster (Kubernetes datastore), when calicoctl is
   * there; undefined: Calico's records are read from the pods' annotations and the IPAM blocks.
   */
  calicoctl?: (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /**
   * When neither calico-config's veth_mtu nor the Installation sets an MTU (Calico then
   * auto-detects it), read the MTU Calico wrote on a node (/var/lib/calico/mtu) through the
   * node shell. Default true.
   */
  mtuFromNodeFile?: boolean;
  /** How long setInstallationMtu waits for calico-node's rollout (default 5 min). */
  calicoRolloutTimeoutMs?: number;
}

const CALICO_CRD = { group: 'crd.projectcalico.org', version: 'v1' };
/** The operator's calico-node DaemonSet. */
const CALICO_NODE = { namespace: 'calico-system', name: 'calico-node' };

interface ObjectList {
  items?: Array<{ metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> }>;
}

/** Felix's configuration, as `kubectl patch felixconfiguration default` reaches it. */
const FELIX_CONFIGURATION = { ...CALICO_CRD, plural: 'felixconfigurations', name: 'default' };
const INSTALLATION = { group: 'operator.tigera.io', version: 'v1', plural: 'installations', name: 'default' };

export class KindCluster implements Cluster {
  readonly target = 'kind' as const;
  /** A real cluster settles in its own time: a wait runs the claim's whole window. */
  readonly settlesWithinMs = undefined;
  readonly bgpSettlesWithinMs = undefined;
  /** In the node's or pod's own /tmp, which goes with its container. */
  readonly captureFilePrefix = '/tmp/podnet-e2e-capture-';
  readonly workloadNamespace: string;
  readonly clients: KubeClients;
  readonly nodeShell: NodeShell;
  private readonly podExec: PodExec;
  private readonly log: Logger;
  private readonly background = new Set<BackgroundProcess>();
  private mtu: Promise<number | undefined> | undefined;

  constructor(private readonly options: KindClusterOptions) {
    this.clients = makeClients(options.kc, options.requestTimeoutMs);
    this.workloadNamespace = options.workloadNamespace ?? DEFAULT_NAMESPACE;
    this.log = options.log ?? (() => undefined);
    this.nodeShell =
      options.nodeShell instanceof NodeShell
        ? options.nodeShell
        : new NodeShell({
            ...(options.nodeShell ?? {}),
            kc: options.kc,
            core: this.clients.core,
            namespace: this.workloadNamespace,
            log: this.log,
            ...(options.podReadyTimeoutMs !== undefined ? { podReadyTimeoutMs: options.podReadyTimeoutMs } : {}),
            ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
          });
    this.podExec = new PodExec(options.kc, (namespace, name) => this.firstContainer(namespace, name));
  }

  describe(): string {
    return redact(
      `kind target: context "${this.options.kc.getCurrentContext()}" at ${this.clients.server}, suite namespace ${this.workloadNamespace}`,
    );
  }

  // --- objects ---------------------------------------------------------------------------

  async nodes(): Promise<NodeInfo[]> {
    const list = await call(this.clients, 'list nodes', () => this.clients.core.listNode());
    return list.items.map(parseNode);
  }

  async pods(filter: { namespace?: string; workload?: string } = {}): Promise<PodInfo[]> {
    const list = filter.namespace
      ? await call(this.clients, `list pods in ${filter.namespace}`, () =>
          this.clients.core.listNamespacedPod({ namespace: filter.namespace! }),
        )
      : await call(this.clients, 'list pods', () => this.clients.core.listPodForAllNamespaces());
    const pods = list.items.map(parsePod);
    return filter.workload ? pods.filter((p) => p.workload === filter.workload) : pods;
  }

  async events(namespace: string): Promise<ClusterEvent[]> {
    const list = await call(this.clients, `list events in ${namespace}`, () => this.clients.core.listNamespacedEvent({ namespace }));
    return list.items.map((event) => ({
      object: `${event.involvedObject.kind ?? '?'}/${event.involvedObject.name ?? '?'}`,
      type: event.type ?? '',
      reason: event.reason ?? '',
      message: redact(event.message ?? ''),
      count: event.count ?? 1,
      lastSeen: (event.lastTimestamp ?? event.eventTime)?.toISOString?.() ?? undefined,
    }));
  }

  async dnsServiceIP(): Promise<string> {
    const svc = await callOr404(this.clients, 'read Service kube-system/kube-dns', () =>
      this.clients.core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' }),
    );
    const ip = svc?.spec?.clusterIP;
    if (!ip || ip === 'None') {
      throw new EnvironmentError(
        'the cluster has no kube-dns Service with a ClusterIP in kube-system',
        'install cluster DNS (CoreDNS); Kind installs it by default',
      );
    }
    return ip;
  }

  /** Turns natOutgoing of one of the Installation's pools on or off, and waits until every node's Felix follows. */
  async setPoolNatOutgoing(pool: string, natOutgoing: boolean): Promise<void> {
    const ref = INSTALLATION;
    const installation = (await call(this.clients, 'read the Installation default', () =>
      this.clients.custom.getClusterCustomObject(ref),
    )) as {
      spec?: { calicoNetwork?: { ipPools?: Array<Record<string, unknown>> } };
    };
    const pools = installation.spec?.calicoNetwork?.ipPools ?? [];
    const index = pools.findIndex((candidate, i) => parseInstallationPool(candidate, i).name === pool);
    if (index < 0) throw new EnvironmentError(`the Installation default declares no pool ${pool}`);
    const changed = pools.map((candidate, i) =>
      i === index ? { ...candidate, natOutgoing: natOutgoing ? 'Enabled' : 'Disabled' } : candidate,
    );
    // A merge patch replaces a list whole: the pools go back as they were, but for this one field.
    await call(this.clients, `patch the Installation's pool ${pool}`, () =>
      this.clients.custom.patchClusterCustomObject(
        { ...ref, body: { spec: { calicoNetwork: { ipPools: changed } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    // The operator renders the IPPool; each node's Felix then changes its masq ipset.
    const cidr = String(pools[index]?.cidr ?? '');
    const nodes = await this.nodes();
    const deadline = Date.now() + 90_000;
    for (;;) {
      // kindest/node has no ipset program; the calico-node container (whose Felix writes the set,
      // in the node's network namespace: hostNetwork) has, so the set is read there.
      const sets = await Promise.all(
        nodes.map(async (node) => this.exec(await this.calicoNodeTarget(node.name), ['ipset', 'list', 'cali40masq-ipam-pools'])),
      );
      if (sets.every((set) => set.exitCode === 0 && set.stdout.split('\n').some((line) => line.trim() === cidr) === natOutgoing)) return;
      if (Date.now() > deadline)
        throw new EnvironmentError(`Felix did not follow natOutgoing ${natOutgoing} of pool ${pool} (${cidr}) in 90 s on every node`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /**
   * The Docker network's gateway, where the nodes' default route goes (kind's `kind` network,
   * 172.18.0.0/16 with the gateway .1: kind v0.20 pkg/cluster/internal/providers/docker/network.go).
   * It is the machine's own bridge: outside every pool and the cluster, reached without leaving
   * the machine. The suite does not capture in the machine's own namespace (it would need root
   * there), so a capture runs on the sending node's eth0, where the packet leaves the node for
   * that gateway after the node's POSTROUTING NAT.
   */
  async outsideHost(): Promise<OutsideHost> {
    const [node] = await this.nodes();
    if (!node) throw new EnvironmentError('the cluster has no nodes');
    const routes = await this.exec({ kind: 'node', name: node.name }, ['ip', '-4', '-j', 'route', 'show', 'default']);
    const gateway = (JSON.parse(routes.stdout || '[]') as { gateway?: string }[]).find((route) => route.gateway)?.gateway;
    if (routes.exitCode !== 0 || !gateway)
      throw new EnvironmentError(
        `node ${node.name} has no default route through a gateway: ${routes.stderr.trim() || routes.stdout.trim()}`,
      );
    return { address: gateway, what: `the Docker network's gateway (the default route of ${node.name})`, capture: 'sender-uplink' };
  }

  /** From kubeadm's ClusterConfiguration (Kind is built with kubeadm). */
  async serviceCIDR(): Promise<string> {
    const cm = await callOr404(this.clients, 'read ConfigMap kube-system/kubeadm-config', () =>
      this.clients.core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kubeadm-config' }),
    );
    const subnet = /serviceSubnet:\s*"?([0-9./,:a-f]+)"?/.exec(cm?.data?.ClusterConfiguration ?? '')?.[1]?.split(',')[0];
    if (!subnet) {
      throw new EnvironmentError(
        'the cluster does not say its Service CIDR (no networking.serviceSubnet in kube-system/kubeadm-config)',
        'this check reads kubeadm clusters such as Kind',
      );
    }
    return subnet;
  }

  async services(filter: { namespace?: string } = {}): Promise<ServiceInfo[]> {
    const list = filter.namespace
      ? await call(this.clients, `list Services in ${filter.namespace}`, () =>
          this.clients.core.listNamespacedService({ namespace: filter.namespace! }),
        )
      : await call(this.clients, 'list Services', () => this.clients.core.listServiceForAllNamespaces());
    return list.items.map(parseService);
  }

  async endpointSlices(filter: { namespace?: string; service?: string } = {}): Promise<EndpointSliceInfo[]> {
    const labelSelector = filter.service ? `kubernetes.io/service-name=${filter.service}` : undefined;
    const list = filter.namespace
      ? await call(this.clients, `list EndpointSlices in ${filter.namespace}`, () =>
          this.clients.discovery.listNamespacedEndpointSlice({ namespace: filter.namespace!, labelSelector }),
        )
      : await call(this.clients, 'list EndpointSlices', () => this.clients.discovery.listEndpointSliceForAllNamespaces({ labelSelector }));
    return list.items.map(parseEndpointSlice);
  }

  async podLogs(namespace: string, name: string, container?: string): Promise<string> {
    return call(this.clients, `read the logs of pod ${namespace}/${name}`, () =>
      this.clients.core.readNamespacedPodLog({ namespace, name, container }),
    );
  }

  async ipPools(): Promise<IpPool[]> {
    const list = await this.listCalico('ippools');
    const mtu = await this.poolMtu();
    return (list.items ?? []).map((item) => parseIpPool(item, mtu));
  }

  async ipamBlocks(): Promise<IpamBlock[]> {
    const list = await this.listCalico('ipamblocks');
    return (list.items ?? []).map(parseIpamBlock);
  }

  async blockAffinities(): Promise<BlockAffinity[]> {
    return ((await this.listCalico('blockaffinities')).items ?? []).map(parseBlockAffinity);
  }

  async calicoComponents(): Promise<{ name: string; available: boolean; degraded: boolean }[]> {
    const list = (await callOr404(this.clients, 'list operator.tigera.io/v1 tigerastatuses', () =>
      this.clients.custom.listClusterCustomObject({ group: 'operator.tigera.io', version: 'v1', plural: 'tigerastatuses' }),
    )) as
      { items?: Array<{ metadata?: { name?: string }; status?: { conditions?: Array<{ type?: string; status?: string }> } }> } | undefined;
    if (!list)
      throw new EnvironmentError(
        'the cluster serves no operator.tigera.io/v1 tigerastatuses: Calico was not installed by the Tigera operator',
        'install Calico through the operator, as the course does',
      );
    const condition = (item: NonNullable<typeof list.items>[number], type: string) =>
      item.status?.conditions?.find((c) => c.type === type)?.status === 'True';
    return (list.items ?? []).map((item) => ({
      name: item.metadata?.name ?? '',
      available: condition(item, 'Available'),
      degraded: condition(item, 'Degraded'),
    }));
  }

  async installationPools(): Promise<Omit<IpPool, 'mtu'>[]> {
    const installation = (await callOr404(this.clients, 'read operator.tigera.io/v1 Installation default', () =>
      this.clients.custom.getClusterCustomObject({ group: 'operator.tigera.io', version: 'v1', plural: 'installations', name: 'default' }),
    )) as { spec?: { calicoNetwork?: { ipPools?: Array<Record<string, unknown>> } } } | undefined;
    if (!installation)
      throw new EnvironmentError(
        'the cluster has no Calico Installation "default" (operator.tigera.io/v1)',
        'install Calico through the Tigera operator, as the course does',
      );
    return (installation.spec?.calicoNetwork?.ipPools ?? []).map(parseInstallationPool);
  }

  async applyIpReservation(reservation: IpReservation): Promise<boolean> {
    const existing = await callOr404(this.clients, `read IPReservation ${reservation.name}`, () =>
      this.clients.custom.getClusterCustomObject({ ...CALICO_CRD, plural: 'ipreservations', name: reservation.name }),
    );
    if (existing) return false;
    await call(this.clients, `create IPReservation ${reservation.name}`, () =>
      this.clients.custom.createClusterCustomObject({
        ...CALICO_CRD,
        plural: 'ipreservations',
        body: {
          apiVersion: `${CALICO_CRD.group}/${CALICO_CRD.version}`,
          kind: 'IPReservation',
          metadata: { name: reservation.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
          spec: { reservedCIDRs: reservation.reservedCIDRs },
        },
      }),
    );
    return true;
  }

  async deleteIpReservation(name: string): Promise<void> {
    await callOr404(this.clients, `delete IPReservation ${name}`, () =>
      this.clients.custom.deleteClusterCustomObject({ ...CALICO_CRD, plural: 'ipreservations', name }),
    );
  }

  async networkAttachmentDefinitions(namespace: string): Promise<NetworkAttachmentDefinition[]> {
    const list = (await callOr404(this.clients, 'list k8s.cni.cncf.io/v1 network-attachment-definitions', () =>
      this.clients.custom.listNamespacedCustomObject({
        group: 'k8s.cni.cncf.io',
        version: 'v1',
        namespace,
        plural: 'network-attachment-definitions',
      }),
    )) as { items?: Array<{ metadata?: { name?: string; namespace?: string }; spec?: { config?: unknown } }> } | undefined;
    if (!list)
      throw new EnvironmentError(
        'the cluster serves no k8s.cni.cncf.io/v1 network-attachment-definitions: Multus is not installed',
        "install Multus v4.0.2 as the lesson does (multus-daemonset.yml), then apply the lesson's NADs",
      );
    return (list.items ?? []).map((item) => ({
      name: String(item.metadata?.name),
      namespace: String(item.metadata?.namespace ?? namespace),
      config: typeof item.spec?.config === 'string' ? item.spec.config : JSON.stringify(item.spec?.config ?? null),
    }));
  }

  async ipReservations(): Promise<IpReservation[]> {
    return ((await this.listCalico('ipreservations')).items ?? []).map(parseIpReservation);
  }

  /**
   * Calico's records of the pods' endpoints: `calicoctl get workloadendpoints` where calicoctl
   * is given (it adds the interface name), else the annotations Calico's CNI plugin wrote on
   * each pod joined with the IPAM allocation of its handle. Never rebuilt from a naming rule.
   */
  async workloadEndpoints(): Promise<WorkloadEndpoint[]> {
    const blocks = await this.ipamBlocks();
    if (this.options.calicoctl) {
      const r = await this.options.calicoctl(['get', 'workloadendpoints', '--all-namespaces', '-o', 'json']);
      if (r.exitCode !== 0)
        throw new EnvironmentError(
          `calicoctl get workloadendpoints failed (exit ${r.exitCode}): ${redact(r.stderr.trim())}`,
          'check calicoctl (DATASTORE_TYPE=kubernetes, KUBECONFIG) or run without it',
        );
      return endpointsFromCalicoctl(r.stdout, blocks);
    }
    const list = await call(this.clients, 'list pods', () => this.clients.core.listPodForAllNamespaces());
    const pods = list.items.map((pod) => ({
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      hostNetwork: pod.spec?.hostNetwork === true,
      annotations: pod.metadata?.annotations ?? {},
    }));
    return endpointsFromRecords(pods, blocks, "Calico's pod annotations and IPAM allocations");
  }

  /** BGPConfigurations, BGPPeers and IPPools as the datastore holds them (crd.projectcalico.org/v1, the same spec as projectcalico.org/v3). */
  async bgpObjects(): Promise<CalicoBgpObjects> {
    const [configurations, peers, pools] = await Promise.all([
      this.listCalicoOptional('bgpconfigurations'),
      this.listCalicoOptional('bgppeers'),
      this.listCalico('ippools'),
    ]);
    const asV3 = (kind: string) => (item: Record<string, unknown>) => ({ ...item, kind });
    const docs = [
      ...configurations.map(asV3('BGPConfiguration')),
      ...peers.map(asV3('BGPPeer')),
      ...(pools.items ?? []).map((item) => asV3('IPPool')(item as Record<string, unknown>)),
    ];
    return calicoBgpObjectsFrom([docs.map((doc) => JSON.stringify(doc)).join('\n---\n')]);
  }

  /** BIRD runs inside the calico-node pod of the node (birdcl, its control socket); the router is a container (docker exec). */
  async bgpControl(speaker: BgpSpeaker): Promise<BgpControl> {
    if (speaker.kind === 'router') return { target: speaker, argv: ['vtysh'], daemon: 'frr' };
    return { target: await this.calicoNodeTarget(speaker.name), argv: ['birdcl', '-s', '/var/run/calico/bird.ctl'], daemon: 'bird' };
  }

  /** The calico-node container on a node: Felix and BIRD, with their tools (ipset, birdcl). */
  private async calicoNodeTarget(node: string): Promise<ExecTarget> {
    const pods = await this.pods({ namespace: 'calico-system' });
    const calicoNode = pods.find((pod) => pod.node === node && pod.name.startsWith('calico-node-'));
    if (!calicoNode)
      throw new EnvironmentError(
        `no calico-node pod runs on node ${node} (namespace calico-system)`,
        'install Calico with the Tigera operator, as the course does',
      );
    return { kind: 'pod', namespace: 'calico-system', name: calicoNode.name, container: 'calico-node' };
  }

  /** The course's calico-frr router (FRR in a container): vtysh through docker exec. A cEOS router has no vtysh. */
  async configureRouter(router: Extract<BgpSpeaker, { kind: 'router' }>, lines: string[]): Promise<void> {
    const control = await this.bgpControl(router);
    const result = await this.exec(
      control.target,
      [...control.argv, '-c', 'configure terminal', ...lines.flatMap((line) => ['-c', line])],
      { timeoutMs: 15_000 },
    );
    if (result.exitCode !== 0 || /% /.test(result.stdout))
      throw new EnvironmentError(`the router refused ${lines.join('; ')}: ${(result.stdout + result.stderr).trim()}`);
  }

  async setServiceLoadBalancerIPs(cidrs: string[]): Promise<void> {
    // crd.projectcalico.org/v1 BGPConfiguration default: spec.serviceLoadBalancerIPs is a list of {cidr}.
    await call(this.clients, 'patch BGPConfiguration default', () =>
      this.clients.custom.patchClusterCustomObject(
        {
          ...CALICO_CRD,
          plural: 'bgpconfigurations',
          name: 'default',
          body: { spec: { serviceLoadBalancerIPs: cidrs.map((cidr) => ({ cidr })) } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  async labelNode(name: string, changes: Record<string, string | null>): Promise<void> {
    await call(this.clients, `label node ${name}`, () =>
      this.clients.core.patchNode(
        { name, body: { metadata: { labels: changes } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  private async listCalicoOptional(plural: string): Promise<Record<string, unknown>[]> {
    const list = (await callOr404(this.clients, `list ${CALICO_CRD.group}/${CALICO_CRD.version} ${plural}`, () =>
      this.clients.custom.listClusterCustomObject({ ...CALICO_CRD, plural }),
    )) as ObjectList | undefined;
    return (list?.items ?? []) as Record<string, unknown>[];
  }

  private async listCalico(plural: string): Promise<ObjectList> {
    const list = (await callOr404(this.clients, `list ${CALICO_CRD.group}/${CALICO_CRD.version} ${plural}`, () =>
      this.clients.custom.listClusterCustomObject({ ...CALICO_CRD, plural }),
    )) as ObjectList | undefined;
    if (!list) {
      throw new EnvironmentError(
        `the cluster serves no ${CALICO_CRD.group}/${CALICO_CRD.version} ${plural}: Calico is not installed`,
        'install Calico (`npm run cluster:up` builds the course cluster with it)',
      );
    }
    return list;
  }

  async felixConfiguration(): Promise<Record<string, unknown>> {
    const object = (await call(this.clients, 'read FelixConfiguration default', () =>
      this.clients.custom.getClusterCustomObject(FELIX_CONFIGURATION),
    )) as { spec?: Record<string, unknown> };
    return object.spec ?? {};
  }

  async patchFelixConfiguration(patch: Record<string, unknown>): Promise<void> {
    await call(this.clients, 'patch FelixConfiguration default', () =>
      this.clients.custom.patchClusterCustomObject(
        { ...FELIX_CONFIGURATION, body: { spec: patch } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  async installationMtu(): Promise<number | undefined> {
    return (await this.readInstallation()).spec?.calicoNetwork?.mtu ?? undefined;
  }

  private async readInstallation(): Promise<{ spec?: { calicoNetwork?: { mtu?: number } } }> {
    return (await call(this.clients, 'read the Installation default', () => this.clients.custom.getClusterCustomObject(INSTALLATION))) as {
      spec?: { calicoNetwork?: { mtu?: number } };
    };
  }

  async setInstallationMtu(mtu: number | undefined): Promise<void> {
    const installation = INSTALLATION;
    const current = await this.readInstallation();
    const before = await this.readCalicoNode();
    // A JSON merge patch; null removes the field.
    await call(this.clients, 'patch the Installation default', () =>
      this.clients.custom.patchClusterCustomObject(
        { ...installation, body: { spec: { calicoNetwork: { mtu: mtu ?? null } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    this.mtu = undefined;
    // The operator renders the MTU into calico-node's template (tigera/operator at 40788b9b,
    // pkg/render/node.go: FELIX_VXLANMTU and the CNI configuration's hash annotation), so a new
    // MTU shows first as a new generation of the DaemonSet, then as its rollout.
    const changed = (current.spec?.calicoNetwork?.mtu ?? undefined) !== mtu;
    await this.waitCalicoNodeRollout(changed ? (before.metadata?.generation ?? 0) : undefined);
  }

  private async readCalicoNode(): Promise<V1DaemonSet> {
    const ds = await callOr404(this.clients, `read DaemonSet ${CALICO_NODE.namespace}/${CALICO_NODE.name}`, () =>
      this.clients.apps.readNamespacedDaemonSet(CALICO_NODE),
    );
    if (!ds)
      throw new EnvironmentError(
        `there is no DaemonSet ${CALICO_NODE.namespace}/${CALICO_NODE.name}: the Installation's MTU reaches the nodes through it`,
        'install Calico with the Tigera operator (`npm run cluster:up` does)',
      );
    return ds;
  }

  /**
   * Waits until the operator has updated calico-node (its generation passed `generationBefore`,
   * when the change should make it) and the DaemonSet has rolled out, as
   * `kubectl rollout status` judges it.
   */
  private async waitCalicoNodeRollout(generationBefore: number | undefined): Promise<void> {
    const { namespace, name } = CALICO_NODE;
    await pollUntil(
      {
        what: `the operator to roll DaemonSet ${namespace}/${name} out with the Installation's new MTU`,
        timeoutMs: this.options.calicoRolloutTimeoutMs ?? 300_000,
        intervalMs: this.options.pollIntervalMs ?? 2_000,
        remedy: `look at \`kubectl -n ${namespace} rollout status daemonset ${name}\` and \`kubectl get tigerastatus\``,
      },
      async () => {
        const ds = await this.readCalicoNode();
        const generation = ds.metadata?.generation ?? 0;
        if (generationBefore !== undefined && generation <= generationBefore)
          return { done: false, seen: `the operator has not updated the DaemonSet yet (generation ${generation})` };
        return daemonSetRolloutStatus(ds);
      },
    );
  }

  /** The workload MTU Calico uses: configured (calico-config, Installation) or detected on a node. */
  private poolMtu(): Promise<number | undefined> {
    this.mtu ??= this.findMtu();
    return this.mtu;
  }

  private async findMtu(): Promise<number | undefined> {
    const positive = (v: unknown) => {
      const n = Number(v);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    };
    for (const namespace of ['kube-system', 'calico-system']) {
      const cm = await this.quietly(() => this.clients.core.readNamespacedConfigMap({ namespace, name: 'calico-config' }));
      const mtu = positive(cm?.data?.veth_mtu);
      if (mtu) return mtu;
    }
    const installation = (await this.quietly(() =>
      this.clients.custom.getClusterCustomObject({ group: 'operator.tigera.io', version: 'v1', plural: 'installations', name: 'default' }),
    )) as { spec?: { calicoNetwork?: { mtu?: unknown } }; status?: { mtu?: unknown } } | undefined;
    // The operator records the MTU it settled on (configured or detected) in the Installation's status.
    const configured = positive(installation?.spec?.calicoNetwork?.mtu) ?? positive(installation?.status?.mtu);
    if (configured) return configured;
    if (this.options.mtuFromNodeFile === false) return undefined;
    try {
      const [node] = await this.nodes();
      if (!node) return undefined;
      const r = await this.nodeShell.exec(node.name, ['cat', '/var/lib/calico/mtu'], { timeoutMs: 15_000 });
      return r.exitCode === 0 ? positive(r.stdout.trim()) : undefined;
    } catch (err) {
      this.log(`could not read Calico's detected MTU from a node: ${errorText(err)}`);
      return undefined;
    }
  }

  /** An optional read: missing or forbidden is undefined, an unreachable server still throws. */
  private async quietly<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404 || status === 403) return undefined;
      throw explain(this.clients, 'read Calico configuration', err);
    }
  }

  // --- commands --------------------------------------------------------------------------

  exec(target: ExecTarget, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (target.kind === 'outside') return Promise.reject(noOutsideShell());
    if (target.kind === 'pod') return this.podExec.exec(target, argv, options);
    // A router is a container of the containerlab topology: docker exec only, never a node-shell pod.
    if (target.kind === 'node' && target.tools) return this.nodeShell.execWithTools(target.name, argv, options);
    if (target.kind === 'router' && target.tools) return this.nodeShell.execBesideContainer(target.name, argv, options);
    return target.kind === 'router'
      ? this.nodeShell.execInContainer(target.name, argv, options)
      : this.nodeShell.exec(target.name, argv, options);
  }

  async takeScratchFile(target: ExecTarget, path: string): Promise<Buffer> {
    checkScratchFile(this.captureFilePrefix, path, 'the suite');
    try {
      const read = await this.exec(target, ['base64', path], { timeoutMs: 30_000 });
      if (read.exitCode !== 0)
        throw new EnvironmentError(`base64 ${path} on ${read.where} exited ${read.exitCode}: ${(read.stderr || read.stdout).trim()}`);
      return parseBase64(read.stdout);
    } finally {
      await this.exec(target, ['rm', '-f', path], { timeoutMs: 10_000 }).catch(() => undefined);
    }
  }

  async startBackground(target: ExecTarget, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    if (target.kind === 'outside') throw noOutsideShell();
    const proc =
      target.kind === 'pod'
        ? await this.podExec.startBackground(target, argv, options)
        : target.kind === 'router'
          ? target.tools
            ? await this.nodeShell.startBackgroundBesideContainer(target.name, argv, options)
            : await this.nodeShell.startBackgroundInContainer(target.name, argv, options)
          : target.tools
            ? await this.nodeShell.startBackgroundWithTools(target.name, argv, options)
            : await this.nodeShell.startBackground(target.name, argv, options);
    this.background.add(proc);
    const stop = proc.stop.bind(proc);
    return {
      where: proc.where,
      argv: proc.argv,
      readyLine: proc.readyLine,
      stop: () => {
        this.background.delete(proc);
        return stop();
      },
    };
  }

  private async firstContainer(namespace: string, name: string): Promise<string> {
    const pod = await call(this.clients, `read pod ${namespace}/${name}`, () => this.clients.core.readNamespacedPod({ namespace, name }));
    const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    const first = annotated ?? pod.spec?.containers[0]?.name;
    if (!first) throw new EnvironmentError(`pod ${namespace}/${name} has no containers`);
    return first;
  }

  // --- pods of the suite -------------------------------------------------------------------

  podManifest(request: PodRequest): V1Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: request.name,
        namespace: request.namespace,
        labels: { ...(request.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        ...(request.annotations ? { annotations: { ...request.annotations } } : {}),
      },
      spec: {
        ...(request.node ? { nodeName: request.node } : {}),
        hostNetwork: request.hostNetwork === true,
        terminationGracePeriodSeconds: 1,
        tolerations: [{ key: CONTROL_PLANE_LABEL, operator: 'Exists', effect: 'NoSchedule' }],
        // Unpinned pods go to a worker, as the port promises.
        ...(request.node
          ? {}
          : {
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: 'DoesNotExist' }] }],
                  },
                },
              },
            }),
        containers: [{ name: 'multitool', image: this.options.podImage ?? MULTITOOL_IMAGE }],
      },
    };
  }

  async createPod(request: PodRequest): Promise<PodInfo> {
    const { namespace, name } = request;
    await call(this.clients, `create pod ${namespace}/${name}`, () =>
      this.clients.core.createNamespacedPod({ namespace, body: this.podManifest(request) }),
    );
    const pod = await pollUntil(
      {
        what: `pod ${namespace}/${name} to be Running and ready`,
        timeoutMs: this.options.podReadyTimeoutMs ?? 120_000,
        intervalMs: this.options.pollIntervalMs ?? 1_000,
        remedy: `look at \`kubectl -n ${namespace} describe pod ${name}\` (image pull, scheduling)`,
      },
      async () => {
        const p = await call(this.clients, `read pod ${namespace}/${name}`, () => this.clients.core.readNamespacedPod({ namespace, name }));
        const phase = parsePod(p).phase;
        const sandboxFailed =
          request.allowSandboxFailure === true &&
          (await this.podEvents(namespace, name)).some((event) => event.reason === 'FailedCreatePodSandBox');
        return {
          done: podIsReady(p) || sandboxFailed,
          value: p,
          seen: describePodState(p),
          ...(phase === 'Failed' || phase === 'Succeeded' ? { fatal: `the pod ended (${phase})` } : {}),
        };
      },
    );
    return parsePod(pod);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    const deleted = await callOr404(this.clients, `delete pod ${namespace}/${name}`, () =>
      this.clients.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 1 }),
    );
    if (deleted === undefined) return;
    // A StatefulSet recreates its pod under the same name as soon as the old one is gone, so a
    // poll may never see the name absent: the pod is gone once no pod of the name has its UID.
    const deletedUid = deleted.metadata?.uid;
    await pollUntil(
      {
        what: `pod ${namespace}/${name} to be gone`,
        timeoutMs: this.options.podDeleteTimeoutMs ?? 60_000,
        intervalMs: this.options.pollIntervalMs ?? 1_000,
        remedy: `look at \`kubectl -n ${namespace} get pod ${name} -o yaml\` (finalizers, an unreachable node)`,
      },
      async () => {
        const p = await callOr404(this.clients, `read pod ${namespace}/${name}`, () =>
          this.clients.core.readNamespacedPod({ namespace, name }),
        );
        const replaced = p !== undefined && deletedUid !== undefined && p.metadata?.uid !== deletedUid;
        return {
          done: p === undefined || replaced,
          seen: p ? `${describePodState(p)}, deletionTimestamp ${p.metadata?.deletionTimestamp?.toISOString?.() ?? 'unset'}` : 'gone',
        };
      },
    );
  }

  async podEvents(namespace: string, name: string): Promise<PodEvent[]> {
    const list = await call(this.clients, `list events of pod ${namespace}/${name}`, () =>
      this.clients.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` }),
    );
    const at = (event: (typeof list.items)[number]) =>
      new Date(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? 0).getTime();
    return [...list.items]
      .sort((a, b) => at(a) - at(b))
      .map((event) => ({
        type: event.type === 'Warning' ? 'Warning' : 'Normal',
        reason: event.reason ?? '',
        message: event.message ?? '',
      }));
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo> {
    await call(this.clients, `annotate pod ${namespace}/${name}`, () =>
      this.clients.objects.patch(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, annotations } } as never,
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    return parsePod(
      await call(this.clients, `read pod ${namespace}/${name}`, () => this.clients.core.readNamespacedPod({ namespace, name })),
    );
  }

  /** `kubectl patch daemonset` of the template's annotations, then a bounded wait for the rollout to replace every pod. */
  async patchDaemonSetPodAnnotations(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo[]> {
    const before = new Set((await this.pods({ namespace, workload: name })).map((pod) => pod.name));
    await call(this.clients, `patch DaemonSet ${namespace}/${name}`, () =>
      this.clients.objects.patch(
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name, namespace },
          spec: { template: { metadata: { annotations } } },
        } as never,
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    return pollUntil(
      {
        what: `every pod of DaemonSet ${namespace}/${name} to be replaced, Running and ready`,
        timeoutMs: this.options.podReadyTimeoutMs ?? 180_000,
        intervalMs: this.options.pollIntervalMs ?? 1_000,
        remedy: `look at \`kubectl -n ${namespace} rollout status daemonset ${name}\``,
      },
      async () => {
        const ds = await call(this.clients, `read DaemonSet ${namespace}/${name}`, () =>
          this.clients.apps.readNamespacedDaemonSet({ namespace, name }),
        );
        const list = await call(this.clients, `list pods in ${namespace}`, () => this.clients.core.listNamespacedPod({ namespace }));
        const pods = list.items.filter((pod) => parsePod(pod).workload === name && parsePod(pod).owner?.kind === 'DaemonSet');
        const fresh = pods.filter((pod) => !before.has(pod.metadata?.name ?? '') && podIsReady(pod));
        const desired = ds.status?.desiredNumberScheduled ?? 0;
        return {
          done: fresh.length === desired && pods.length === desired,
          value: fresh.map(parsePod),
          seen: `${fresh.length} of ${desired} pods replaced and ready, ${pods.length} pods in all`,
        };
      },
    );
  }

  async close(): Promise<void> {
    const pending = [...this.background];
    this.background.clear();
    await Promise.all(
      pending.map((p) => p.stop().catch((err: unknown) => this.log(`stopping ${p.argv.join(' ')} on ${p.where}: ${errorText(err)}`))),
    );
    await this.nodeShell.close();
  }
}

function noOutsideShell(): EnvironmentError {
  return new EnvironmentError(
    "a live cluster's outside host is the machine's own bridge, where the suite runs no commands",
    "capture on the sending node's uplink instead (OutsideHost.capture 'sender-uplink')",
  );
}
