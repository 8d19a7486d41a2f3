/**
 * The kind target: the Cluster port answered by a live Kubernetes cluster with Calico.
 *
 * Objects come from the API (core objects, Calico's CRDs, the Calico API server when it is
 * there); pod commands run over exec WebSockets; node commands through the NodeShell.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import {
  EnvironmentError,
  type BackgroundOptions,
  type BackgroundProcess,
  type Cluster,
  type ExecOptions,
  type ExecResult,
  type ExecTarget,
  type IpamBlock,
  type IpPool,
  type NodeInfo,
  type PodInfo,
  type PodRequest,
  type WorkloadEndpoint,
} from '../cluster.ts';
import { call, callOr404, explain, makeClients, type KubeClients } from './api.ts';
import { parseIpamBlock, parseIpPool } from './calico.ts';
import { endpointsFromCalicoctl, endpointsFromRecords } from '../calico-records.ts';
import { CONTROL_PLANE_LABEL, describePodState, parseNode, parsePod, podIsReady } from './parse-core.ts';
import { DEFAULT_NAMESPACE, MANAGED_BY_LABEL, MANAGED_BY_VALUE, MULTITOOL_IMAGE } from './labels.ts';
import { NodeShell, type NodeShellOptions } from './node-shell.ts';
import { PodExec } from './pod-exec.ts';
import { errorText, httpStatus, redact, type Logger } from '../../redact.ts';
import { pollUntil } from './wait.ts';

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
}

const CALICO_CRD = { group: 'crd.projectcalico.org', version: 'v1' };

interface ObjectList {
  items?: Array<{ metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> }>;
}

export class KindCluster implements Cluster {
  readonly target = 'kind' as const;
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
    return redact(`kind target: context "${this.options.kc.getCurrentContext()}" at ${this.clients.server}, suite namespace ${this.workloadNamespace}`);
  }

  // --- objects ---------------------------------------------------------------------------

  async nodes(): Promise<NodeInfo[]> {
    const list = await call(this.clients, 'list nodes', () => this.clients.core.listNode());
    return list.items.map(parseNode);
  }

  async pods(filter: { namespace?: string; workload?: string } = {}): Promise<PodInfo[]> {
    const list = filter.namespace
      ? await call(this.clients, `list pods in ${filter.namespace}`, () => this.clients.core.listNamespacedPod({ namespace: filter.namespace! }))
      : await call(this.clients, 'list pods', () => this.clients.core.listPodForAllNamespaces());
    const pods = list.items.map(parsePod);
    return filter.workload ? pods.filter((p) => p.workload === filter.workload) : pods;
  }

  async dnsServiceIP(): Promise<string> {
    const svc = await callOr404(this.clients, 'read Service kube-system/kube-dns', () =>
      this.clients.core.readNamespacedService({ namespace: 'kube-system', name: 'kube-dns' }),
    );
    const ip = svc?.spec?.clusterIP;
    if (!ip || ip === 'None') {
      throw new EnvironmentError('the cluster has no kube-dns Service with a ClusterIP in kube-system', 'install cluster DNS (CoreDNS); Kind installs it by default');
    }
    return ip;
  }

  /** From kubeadm's ClusterConfiguration (Kind is built with kubeadm). */
  async serviceCIDR(): Promise<string> {
    const cm = await callOr404(this.clients, 'read ConfigMap kube-system/kubeadm-config', () =>
      this.clients.core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kubeadm-config' }),
    );
    const subnet = /serviceSubnet:\s*"?([0-9./,:a-f]+)"?/.exec(cm?.data?.ClusterConfiguration ?? '')?.[1]?.split(',')[0];
    if (!subnet) {
      throw new EnvironmentError('the cluster does not say its Service CIDR (no networking.serviceSubnet in kube-system/kubeadm-config)', 'this check reads kubeadm clusters such as Kind');
    }
    return subnet;
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

  /**
   * Calico's records of the pods' endpoints: `calicoctl get workloadendpoints` where calicoctl
   * is given (it adds the interface name), else the annotations Calico's CNI plugin wrote on
   * each pod joined with the IPAM allocation of its handle. Never rebuilt from a naming rule.
   */
  async workloadEndpoints(): Promise<WorkloadEndpoint[]> {
    const blocks = await this.ipamBlocks();
    if (this.options.calicoctl) {
      const r = await this.options.calicoctl(['get', 'workloadendpoints', '--all-namespaces', '-o', 'json']);
      if (r.exitCode !== 0) throw new EnvironmentError(`calicoctl get workloadendpoints failed (exit ${r.exitCode}): ${redact(r.stderr.trim())}`, 'check calicoctl (DATASTORE_TYPE=kubernetes, KUBECONFIG) or run without it');
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
    return target.kind === 'pod' ? this.podExec.exec(target, argv, options) : this.nodeShell.exec(target.name, argv, options);
  }

  async startBackground(target: ExecTarget, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    const proc =
      target.kind === 'pod'
        ? await this.podExec.startBackground(target, argv, options)
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
        return {
          done: podIsReady(p),
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
    await pollUntil(
      {
        what: `pod ${namespace}/${name} to be gone`,
        timeoutMs: this.options.podDeleteTimeoutMs ?? 60_000,
        intervalMs: this.options.pollIntervalMs ?? 1_000,
        remedy: `look at \`kubectl -n ${namespace} get pod ${name} -o yaml\` (finalizers, an unreachable node)`,
      },
      async () => {
        const p = await callOr404(this.clients, `read pod ${namespace}/${name}`, () => this.clients.core.readNamespacedPod({ namespace, name }));
        return { done: p === undefined, seen: p ? `${describePodState(p)}, deletionTimestamp ${p.metadata?.deletionTimestamp?.toISOString?.() ?? 'unset'}` : 'gone' };
      },
    );
  }

  async close(): Promise<void> {
    const pending = [...this.background];
    this.background.clear();
    await Promise.all(pending.map((p) => p.stop().catch((err: unknown) => this.log(`stopping ${p.argv.join(' ')} on ${p.where}: ${errorText(err)}`))));
    await this.nodeShell.close();
  }
}
