/**
 * The Cluster port: everything a step can ask of a cluster, whatever stands behind it
 * (a live Kind + Calico cluster, or the embedded network-namespace lab).
 *
 * Adapters implement `Cluster`; steps and probes see only this interface and the vocabulary it
 * speaks, which lives on the ground floor (support/domain.ts) so that the lab, the command
 * runner and the parsers can speak it without importing the port.
 */
import type {
  BackgroundOptions,
  BackgroundProcess,
  BgpControl,
  BgpSpeaker,
  BlockAffinity,
  ClusterEvent,
  EndpointSliceInfo,
  ExecOptions,
  ExecResult,
  ExecTarget,
  IpPool,
  IpReservation,
  IpamBlock,
  NetworkAttachmentDefinition,
  NodeInfo,
  OutsideHost,
  PodEvent,
  PodInfo,
  PodRequest,
  ServiceInfo,
  TargetKind,
  WorkloadEndpoint,
} from '../domain.ts';
import type { CalicoBgpObjects } from '../net/calico-bgp.ts';

export interface Cluster {
  readonly target: TargetKind;
  /** One line for the run's log: which cluster, reached how. */
  describe(): string;
  /** The namespace the suite's own workloads live in. */
  readonly workloadNamespace: string;
  /**
   * How long after a change this target is known to have settled, in ms: what has not happened
   * by then will not (the embedded lab's controllers act when the change is made). Undefined
   * where no such bound is known (a real cluster): a wait runs the claim's whole window.
   */
  readonly settlesWithinMs: number | undefined;
  /**
   * The same for a BGP change (a BGPConfiguration, a node's labels, the router's configuration):
   * 0 where the change returns only once BGP has settled (the embedded lab's), undefined where
   * BIRD and FRR converge on their own time after it (a real cluster).
   */
  readonly bgpSettlesWithinMs: number | undefined;
  /**
   * Where a capture's file is written, read back and removed, as a path prefix (a random part
   * and `.pcap` follow). The lab's carries the lab's prefix, so that its teardown removes the file
   * of a run that was killed mid-capture.
   */
  readonly captureFilePrefix: string;
  /**
   * The bytes of a file the suite wrote on `target` under captureFilePrefix (a capture's
   * pcap), removed afterwards whether or not it could be read. The lab reads it where its
   * namespace sees it, starting no process; a cluster reads it with `base64` in the container.
   */
  takeScratchFile(target: ExecTarget, path: string): Promise<Buffer>;

  nodes(): Promise<NodeInfo[]>;
  pods(filter?: { namespace?: string; workload?: string }): Promise<PodInfo[]>;

  exec(target: ExecTarget, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  startBackground(target: ExecTarget, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess>;

  ipPools(): Promise<IpPool[]>;
  ipamBlocks(): Promise<IpamBlock[]>;
  workloadEndpoints(): Promise<WorkloadEndpoint[]>;
  blockAffinities(): Promise<BlockAffinity[]>;
  ipReservations(): Promise<IpReservation[]>;
  /** The Tigera operator's view of Calico's components (operator.tigera.io/v1 TigeraStatus). */
  calicoComponents(): Promise<{ name: string; available: boolean; degraded: boolean }[]>;
  /** The pools the Calico Installation declares (operator.tigera.io/v1 Installation default), before the operator renders them as IPPools. */
  installationPools(): Promise<Omit<IpPool, 'mtu'>[]>;
  /** Creates the IPReservation unless one of that name exists; true when this call created it. */
  applyIpReservation(reservation: IpReservation): Promise<boolean>;
  deleteIpReservation(name: string): Promise<void>;
  /** The ClusterIP of the cluster DNS Service (kube-dns). */
  dnsServiceIP(): Promise<string>;
  /**
   * Sets a pool's natOutgoing as the course does, in the Installation's pool (the operator
   * renders the IPPool); resolves once every node's Felix has followed (its masq ipset).
   */
  setPoolNatOutgoing(pool: string, natOutgoing: boolean): Promise<void>;
  /** A host beyond the node network's gateway, outside every pool and the cluster. */
  outsideHost(): Promise<OutsideHost>;
  /** The Service CIDR the API server allocates ClusterIPs from. */
  serviceCIDR(): Promise<string>;
  /** Services, of one namespace or all. */
  services(filter?: { namespace?: string }): Promise<ServiceInfo[]>;
  /** EndpointSlices, of one namespace or all, or of one Service (label kubernetes.io/service-name). */
  endpointSlices(filter?: { namespace?: string; service?: string }): Promise<EndpointSliceInfo[]>;
  /** What a pod's container wrote to stdout, as `kubectl logs` shows it. */
  podLogs(namespace: string, name: string, container?: string): Promise<string>;

  /**
   * Sets the Installation's spec.calicoNetwork.mtu (undefined removes it, so Calico derives the
   * MTU again). Pods created afterwards get it; Felix sets vxlan.calico to it (lesson 18).
   */
  setInstallationMtu(mtu: number | undefined): Promise<void>;
  /** The Installation's spec.calicoNetwork.mtu as set, undefined where none is (Calico derives it). */
  installationMtu(): Promise<number | undefined>;
  /** FelixConfiguration `default`'s spec, as `kubectl get felixconfiguration default -o yaml` shows it. */
  felixConfiguration(): Promise<Record<string, unknown>>;
  /** `kubectl patch felixconfiguration default --type=merge` of its spec (null removes a field); Felix follows on every node (lesson 13). */
  patchFelixConfiguration(patch: Record<string, unknown>): Promise<void>;
  /** Calico's BGP resources as the API holds them: BGPConfiguration `default`, BGPPeers, IPPools. */
  bgpObjects(): Promise<CalicoBgpObjects>;
  /** How to reach the BGP daemon of a node or of the router. */
  bgpControl(speaker: BgpSpeaker): Promise<BgpControl>;
  /** Applies configuration lines on the router's BGP daemon (FRR: `configure terminal`, then each line); resolves once BGP has followed. */
  configureRouter(router: Extract<BgpSpeaker, { kind: 'router' }>, lines: string[]): Promise<void>;
  /**
   * Sets BGPConfiguration default's spec.serviceLoadBalancerIPs (lesson 08's bgpconfiguration-lb.yaml
   * and -no-lb.yaml differ only there); resolves once BGP has followed.
   */
  setServiceLoadBalancerIPs(cidrs: string[]): Promise<void>;
  /** Sets (a value) or removes (null) labels of a node, as `kubectl label node` does. */
  labelNode(name: string, changes: Record<string, string | null>): Promise<void>;

  /** Creates a pod and resolves once it is Running and ready. */
  createPod(request: PodRequest): Promise<PodInfo>;
  /** Deletes a pod and resolves once it is gone. */
  deletePod(namespace: string, name: string): Promise<void>;
  /** The pod's events, oldest first. */
  podEvents(namespace: string, name: string): Promise<PodEvent[]>;
  /** Merges annotations into a pod's metadata (null removes one); the pod keeps running. */
  annotatePod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo>;
  /**
   * Merges annotations into a DaemonSet's pod template (null removes one), as `kubectl patch`
   * does; resolves once every pod of the DaemonSet has been replaced and is Running and ready.
   */
  patchDaemonSetPodAnnotations(namespace: string, name: string, annotations: Record<string, string | null>): Promise<PodInfo[]>;

  /** Recent events of a namespace, where the target keeps them (a live cluster; the lab has none). */
  events?(namespace: string): Promise<ClusterEvent[]>;

  /** `kubectl get network-attachment-definitions -n <namespace> -o json`: each NAD's name and spec.config as applied (lessons 21, 22). */
  networkAttachmentDefinitions(namespace: string): Promise<NetworkAttachmentDefinition[]>;

  /** Releases what this handle holds (connections, background processes). Never tears a lab down. */
  close(): Promise<void>;
}
