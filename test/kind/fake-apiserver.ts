/**
 * A small local server that speaks the parts of the Kubernetes API the kind target uses, for
 * contract tests without a cluster:
 *
 *  - discovery (/api/v1, /apis/<group>/<version>), GET /version;
 *  - list / get / create (POST) / server-side apply (PATCH application/apply-patch+yaml) /
 *    JSON merge patch (PATCH application/merge-patch+json) /
 *    delete / deletecollection of nodes, namespaces, pods, services, configmaps, daemonsets,
 *    Calico's ippools and ipamblocks, installations (no workloadendpoints: Calico v3.30 has no
 *    WorkloadEndpoint CRD and its API server serves none);
 *  - POST selfsubjectaccessreviews, answered from a deny list;
 *  - pods/exec over WebSocket: channel 1 stdout, 2 stderr, 3 a V1Status. As a real API
 *    server of the version it claims (`serverVersion`, default the course's v1.28.0) does:
 *      · it offers v5.channel.k8s.io (with the close-signal channel 255) only from 1.30, when
 *        KEP-4006's streaming translation went beta and on by default (1.29 had it alpha,
 *        gated off); 1.28 negotiates v4.channel.k8s.io;
 *      · the first frame is an empty one on the lowest writable channel (stdout), which
 *        k8s.io/apiserver's wsstream Conn writes to tell the client the streams are open;
 *      · a client that goes away does not end the process: neither the API server nor the
 *        kubelet forwards a signal, so the command runs on until it exits by itself.
 *    By default the argv runs for real as a local process (spawned without a shell), so output
 *    separation, exit codes and signals are real; a handler can rewrite or script it.
 *
 * A minimal controller stands in for the cluster: pods get a node, an IP allocated from their
 * node's IPAM block as Calico would, and become Running/Ready after `readyAfterMs`; an applied
 * DaemonSet gets one pod per eligible node; deletes release addresses. A test can hand that
 * job to something real instead (`kubelet`, `beforeRequest`): test/crosstarget/ backs the
 * store with the embedded lab.
 *
 * Plain HTTP on 127.0.0.1 (client-node needs `insecure-skip-tls-verify: true` for http://).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';

// `ws` is client-node's dependency and ships no types here: describe what is used.
interface WsSocket {
  readonly protocol: string;
  send(data: Buffer): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
}
interface WsServer {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (options: { noServer: true; handleProtocols: (protocols: Set<string>) => string | false }) => WsServer;
};

type Obj = Record<string, any>;

interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  builtIn: boolean;
}

const RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, builtIn: true },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, builtIn: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, builtIn: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, builtIn: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, builtIn: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, builtIn: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, builtIn: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, builtIn: true },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true, builtIn: true },
  { group: 'crd.projectcalico.org', version: 'v1', resource: 'ippools', kind: 'IPPool', namespaced: false, builtIn: false },
  { group: 'crd.projectcalico.org', version: 'v1', resource: 'ipamblocks', kind: 'IPAMBlock', namespaced: false, builtIn: false },
  { group: 'crd.projectcalico.org', version: 'v1', resource: 'blockaffinities', kind: 'BlockAffinity', namespaced: false, builtIn: false },
  {
    group: 'crd.projectcalico.org',
    version: 'v1',
    resource: 'bgpconfigurations',
    kind: 'BGPConfiguration',
    namespaced: false,
    builtIn: false,
  },
  { group: 'crd.projectcalico.org', version: 'v1', resource: 'bgppeers', kind: 'BGPPeer', namespaced: false, builtIn: false },
  { group: 'operator.tigera.io', version: 'v1', resource: 'installations', kind: 'Installation', namespaced: false, builtIn: false },
];

const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

export interface ExecCall {
  namespace: string;
  pod: string;
  container: string;
  argv: string[];
  protocol: string;
}

/** What to do with an exec: run an argv locally, or answer from a script. */
export type ExecPlan =
  { argv: string[] } | { stdout?: string; stderr?: string; exitCode?: number; status?: Obj; closeWithoutStatus?: boolean };

export interface FakeApiServerOptions {
  /** Bearer token every request must carry (401 otherwise). */
  token?: string;
  /** SelfSubjectAccessReviews for these are denied. */
  deny?: Array<{ verb: string; resource: string; subresource?: string }>;
  /** Serve crd.projectcalico.org (default true). */
  calico?: boolean;
  /**
   * Whether a process outlives its exec client, as on a real cluster (default true). The
   * cross-target test turns it off: see test/crosstarget/lab-apiserver.ts.
   */
  keepProcessOnClientClose?: boolean;
  /** The version GET /version reports, and whose exec protocols the server speaks (default v1.28.0). */
  serverVersion?: string;
  /** Exec subprotocols the server accepts, best first (default: those of `serverVersion`). */
  execProtocols?: string[];
  exec?: (call: ExecCall) => ExecPlan;
  /** Pods become Running and Ready this long after creation (default 0). */
  readyAfterMs?: number;
  /** Deleted pods linger (with a deletionTimestamp) this long (default 0). */
  deleteAfterMs?: number;
  /** Image names whose pods never start (ErrImagePull), to test bounded waits. */
  brokenImages?: string[];
  /**
   * Called before every request (and every exec upgrade) is answered, so that a test can keep
   * the store in step with something outside it (test/crosstarget/ syncs it from the embedded
   * lab's state file). An exception is answered as a 500.
   */
  beforeRequest?: (fake: FakeApiServer) => void;
  /**
   * Called, and awaited, before a write (POST, PATCH, PUT, DELETE) is answered, with what was
   * asked: the cross-target test hands a node label or a BGPConfiguration change to the lab,
   * whose state the next beforeRequest then shows. An exception is answered as a 500.
   */
  beforeWrite?: (write: { method: string; path: string; contentType: string | undefined; body: string }) => Promise<void>;
  /**
   * Replaces the stand-in controllers with a real "kubelet": a pod created through the API is
   * stored Pending and handed to `start` (a rejection turns it Failed, with the reason); a pod
   * deleted through the API gets a deletionTimestamp and is handed to `stop`, and goes from the
   * store once that resolves. Reads then reconcile neither pods nor DaemonSets: whoever `put`s
   * them keeps their status current.
   */
  kubelet?: FakeKubelet;
  /** GET pods/<name>/log: the container's output as text (404 when absent or undefined). */
  logs?: (namespace: string, pod: string, container: string | undefined) => string | undefined;
}

export interface FakeKubelet {
  start(pod: Obj): Promise<void>;
  stop(pod: Obj): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  contentType: string | undefined;
  body: string;
}

const FIXTURES = new URL('../fixtures/k8s/', import.meta.url);

/** Reads a fixture (YAML with a comment header) as the object the API would return. */
export function fixture(name: string): Obj {
  return parseYaml(readFileSync(new URL(name, FIXTURES), 'utf8')) as Obj;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/**
 * The exec subprotocols an API server of this version accepts, best first: v5 (close signal)
 * from 1.30 (KEP-4006 beta, on by default), then v4 and the older ones
 * (k8s.io/apimachinery pkg/util/remotecommand/constants.go).
 */
export function execProtocolsOf(serverVersion: string): string[] {
  const [major = 0, minor = 0] = serverVersion.replace(/^v/, '').split('.').map(Number);
  const legacy = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
  return major > 1 || (major === 1 && minor >= 30) ? ['v5.channel.k8s.io', ...legacy] : legacy;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function matchesSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k = '', v] = term.split('=');
    return labels?.[k] === v;
  });
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly execs: ExecCall[] = [];
  readonly serverVersion: string;
  private readonly store = new Map<string, Obj>();
  private readonly children = new Set<ChildProcess>();
  private readonly sockets = new Set<WsSocket>();
  private readonly server: http.Server;
  private readonly wss: WsServer;
  private rv = 10_000;
  url = '';

  private constructor(readonly options: FakeApiServerOptions) {
    this.serverVersion = options.serverVersion ?? 'v1.28.0';
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => (options.execProtocols ?? execProtocolsOf(this.serverVersion)).find((p) => offered.has(p)) ?? false,
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const address = fake.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    fake.url = `http://127.0.0.1:${address.port}`;
    return fake;
  }

  /** The lesson-03 cluster of test/fixtures/k8s. */
  static async withLab(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = await FakeApiServer.start(options);
    for (const file of ['nodes.yaml', 'namespaces.yaml', 'pods.yaml', 'ippools.yaml', 'ipamblocks.yaml']) {
      fake.loadList(fixture(file));
    }
    fake.put(fixture('service-kube-dns.yaml'));
    return fake;
  }

  async close(): Promise<void> {
    for (const child of this.children) killGroup(child);
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Local processes started for exec that are still running. */
  liveChildren(): number {
    return [...this.children].filter((c) => c.exitCode === null && c.signalCode === null).length;
  }

  /** A kubeconfig (YAML text) for this server. */
  kubeconfig(user: Obj = this.options.token ? { token: this.options.token } : {}, context = 'kind-podnet'): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: context, cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: context, user }],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      'current-context': context,
    });
  }

  // --- store -------------------------------------------------------------------------------

  private typeOf(apiVersion: string, kindOrResource: string): ResourceType {
    const t = RESOURCES.find((r) => apiVersionOf(r) === apiVersion && (r.kind === kindOrResource || r.resource === kindOrResource));
    if (!t) throw new Error(`fake apiserver: unknown type ${apiVersion} ${kindOrResource}`);
    return t;
  }

  private key(t: ResourceType, namespace: string | undefined, name: string): string {
    return `${apiVersionOf(t)}|${t.resource}|${t.namespaced ? namespace : ''}|${name}`;
  }

  /** Stores an object as given (apiVersion and kind required). */
  put(obj: Obj): Obj {
    const t = this.typeOf(obj.apiVersion, obj.kind);
    obj.metadata ??= {};
    obj.metadata.uid ??= randomUUID();
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.store.set(this.key(t, obj.metadata.namespace, obj.metadata.name), obj);
    return obj;
  }

  /** Loads a List (as a fixture holds it): items get the list's apiVersion and kind. */
  loadList(list: Obj): void {
    const kind = String(list.kind).replace(/List$/, '');
    for (const item of list.items ?? []) this.put({ apiVersion: list.apiVersion, kind, ...structuredClone(item) });
  }

  get(apiVersion: string, kindOrResource: string, namespace: string | undefined, name: string): Obj | undefined {
    const t = this.typeOf(apiVersion, kindOrResource);
    if (t.kind === 'Namespace') this.reconcileNamespaces();
    const obj = this.store.get(this.key(t, namespace, name));
    if (obj && t.kind === 'Pod' && !this.options.kubelet) this.reconcilePod(obj);
    if (obj && t.kind === 'DaemonSet' && !this.options.kubelet) this.reconcileDaemonSet(obj);
    return this.store.get(this.key(t, namespace, name));
  }

  list(apiVersion: string, kindOrResource: string, namespace?: string): Obj[] {
    const t = this.typeOf(apiVersion, kindOrResource);
    const prefix = `${apiVersionOf(t)}|${t.resource}|`;
    if (t.kind === 'Namespace') this.reconcileNamespaces();
    if (t.kind === 'Pod' && !this.options.kubelet) this.list2(prefix, namespace).forEach((p) => this.reconcilePod(p));
    if (t.kind === 'DaemonSet' && !this.options.kubelet) this.list2(prefix, namespace).forEach((d) => this.reconcileDaemonSet(d));
    return this.list2(prefix, namespace);
  }

  private list2(prefix: string, namespace?: string): Obj[] {
    return [...this.store.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (!namespace || o.metadata.namespace === namespace))
      .map(([, o]) => o)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  remove(apiVersion: string, kindOrResource: string, namespace: string | undefined, name: string): void {
    const t = this.typeOf(apiVersion, kindOrResource);
    this.store.delete(this.key(t, namespace, name));
  }

  // --- the stand-in controllers ------------------------------------------------------------

  private nodes(): Obj[] {
    return this.list2('v1|nodes|');
  }

  private blockOf(node: string): Obj | undefined {
    return this.list2('crd.projectcalico.org/v1|ipamblocks|').find((b) => b.spec.affinity === `host:${node}`);
  }

  /** Allocates the next free ordinal of the node's block to the pod, as Calico IPAM does. */
  private allocate(node: string, namespace: string, pod: string): string | undefined {
    const block = this.blockOf(node);
    if (!block) return undefined;
    const spec = block.spec;
    const ordinal: number | undefined = spec.unallocated.shift();
    if (ordinal === undefined) return undefined;
    spec.attributes.push({
      handle_id: `k8s-pod-network.${randomBytes(32).toString('hex')}`,
      secondary: { namespace, node, pod, timestamp: new Date().toISOString() },
    });
    spec.allocations[ordinal] = spec.attributes.length - 1;
    const [base = ''] = String(spec.cidr).split('/');
    const octets = base.split('.').map(Number);
    octets[3] = (octets[3] ?? 0) + ordinal;
    return octets.join('.');
  }

  private release(node: string, namespace: string, pod: string): void {
    const block = this.blockOf(node);
    if (!block) return;
    const spec = block.spec;
    spec.allocations.forEach((attr: number | null, ordinal: number) => {
      const a = attr === null ? undefined : spec.attributes[attr];
      if (a?.secondary?.namespace === namespace && a?.secondary?.pod === pod) {
        spec.allocations[ordinal] = null;
        spec.unallocated.push(ordinal);
      }
    });
  }

  private scheduleAndStart(pod: Obj): void {
    const spec = pod.spec;
    const workers = this.nodes().filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {})));
    spec.nodeName ??= workers[0]?.metadata.name;
    const node = this.nodes().find((n) => n.metadata.name === spec.nodeName);
    const nodeIP = node?.status.addresses.find((a: Obj) => a.type === 'InternalIP')?.address;
    const ip = spec.hostNetwork ? nodeIP : this.allocate(spec.nodeName, pod.metadata.namespace, pod.metadata.name);
    pod.status = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date().toISOString() }],
      hostIP: nodeIP,
      podIP: ip,
      podIPs: ip ? [{ ip }] : [],
      containerStatuses: spec.containers.map((c: Obj) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    };
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      'podnet-fake/ready-at': String(Date.now() + (this.options.readyAfterMs ?? 0)),
    };
  }

  private reconcilePod(pod: Obj): void {
    const readyAt = Number(pod.metadata.annotations?.['podnet-fake/ready-at']);
    const goneAt = Number(pod.metadata.annotations?.['podnet-fake/gone-at']);
    if (goneAt && Date.now() >= goneAt) {
      this.release(pod.spec.nodeName, pod.metadata.namespace, pod.metadata.name);
      this.remove('v1', 'pods', pod.metadata.namespace, pod.metadata.name);
      return;
    }
    if (!readyAt || Date.now() < readyAt || pod.status.phase === 'Running') return;
    const broken = pod.spec.containers.some((c: Obj) => this.options.brokenImages?.includes(c.image));
    if (broken) {
      pod.status.containerStatuses = pod.spec.containers.map((c: Obj) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
      }));
      return;
    }
    const now = new Date().toISOString();
    pod.status.phase = 'Running';
    pod.status.conditions = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: 'True',
      lastTransitionTime: now,
    }));
    pod.status.containerStatuses = pod.spec.containers.map((c: Obj) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: now } },
    }));
  }

  private eligibleNodes(ds: Obj): Obj[] {
    const tolerations: Obj[] = ds.spec.template.spec.tolerations ?? [];
    return this.nodes().filter((n) =>
      (n.spec.taints ?? []).every((taint: Obj) => tolerations.some((t) => t.operator === 'Exists' && (!t.key || t.key === taint.key))),
    );
  }

  private reconcileDaemonSet(ds: Obj): void {
    const eligible = this.eligibleNodes(ds);
    const pods = this.list2('v1|pods|', ds.metadata.namespace).filter((p) =>
      p.metadata.ownerReferences?.some((o: Obj) => o.uid === ds.metadata.uid),
    );
    for (const node of eligible) {
      if (pods.some((p) => p.spec.nodeName === node.metadata.name)) continue;
      const name = `${ds.metadata.name}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      const pod: Obj = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${ds.metadata.name}-`,
          namespace: ds.metadata.namespace,
          labels: { ...(ds.spec.template.metadata?.labels ?? {}), 'pod-template-generation': String(ds.metadata.generation) },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              name: ds.metadata.name,
              uid: ds.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { ...structuredClone(ds.spec.template.spec), nodeName: node.metadata.name },
      };
      this.put(pod);
      this.scheduleAndStart(pod);
    }
    const owned = this.list2('v1|pods|', ds.metadata.namespace).filter((p) =>
      p.metadata.ownerReferences?.some((o: Obj) => o.uid === ds.metadata.uid),
    );
    owned.forEach((p) => this.reconcilePod(p));
    ds.status = {
      currentNumberScheduled: owned.length,
      desiredNumberScheduled: eligible.length,
      numberMisscheduled: 0,
      numberReady: owned.filter((p) => p.status?.phase === 'Running').length,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: owned.length,
    };
  }

  private reconcileNamespaces(): void {
    for (const ns of this.list2('v1|namespaces|')) {
      if (ns.status?.phase !== 'Terminating') continue;
      const left = [...this.store.values()].filter((o) => o.metadata.namespace === ns.metadata.name);
      for (const o of left) this.store.delete(this.key(this.typeOf(o.apiVersion, o.kind), o.metadata.namespace, o.metadata.name));
      for (const pod of left.filter((o) => o.kind === 'Pod')) this.release(pod.spec.nodeName, pod.metadata.namespace, pod.metadata.name);
      this.remove('v1', 'namespaces', undefined, ns.metadata.name);
    }
  }

  /** `kubelet` mode: Pending until the kubelet has started the pod (it then `put`s the Running pod). */
  private startWithKubelet(pod: Obj, kubelet: FakeKubelet): void {
    pod.status = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date().toISOString() }],
      containerStatuses: (pod.spec?.containers ?? []).map((c: Obj) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    };
    kubelet.start(pod).catch((err: unknown) => {
      const current = this.store.get(this.key(this.typeOf('v1', 'pods'), pod.metadata.namespace, pod.metadata.name)) ?? pod;
      current.status = {
        ...current.status,
        phase: 'Failed',
        reason: 'FailedCreatePodSandBox',
        message: String(err instanceof Error ? err.message : err),
      };
    });
  }

  private deletePod(pod: Obj): void {
    if (this.options.kubelet) {
      pod.metadata.deletionTimestamp ??= new Date().toISOString();
      const { namespace, name, uid } = pod.metadata;
      this.options.kubelet.stop(pod).then(
        () => {
          const current = this.store.get(this.key(this.typeOf('v1', 'pods'), namespace, name));
          if (current?.metadata.uid === uid) this.remove('v1', 'pods', namespace, name);
        },
        (err: unknown) => {
          pod.status = {
            ...pod.status,
            message: `the kubelet could not stop the pod: ${String(err instanceof Error ? err.message : err)}`,
          };
        },
      );
      return;
    }
    pod.metadata.deletionTimestamp = new Date().toISOString();
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      'podnet-fake/gone-at': String(Date.now() + (this.options.deleteAfterMs ?? 0)),
    };
    this.reconcilePod(pod);
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private authorized(req: http.IncomingMessage): boolean {
    return !this.options.token || req.headers.authorization === `Bearer ${this.options.token}`;
  }

  private served(t: ResourceType): boolean {
    if (t.group === 'crd.projectcalico.org' || t.group === 'operator.tigera.io') return this.options.calico !== false;
    return true;
  }

  /** /api/v1/... or /apis/<group>/<version>/... → type, namespace, name, subresource. */
  private route(path: string): { apiVersion: string; rest: string[] } | undefined {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts[1]) return { apiVersion: parts[1], rest: parts.slice(2) };
    if (parts[0] === 'apis' && parts[1] && parts[2]) return { apiVersion: `${parts[1]}/${parts[2]}`, rest: parts.slice(3) };
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? ([] as string[]).concat(query[k]!, v) : v;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, contentType: req.headers['content-type'], body });

    const send = (code: number, obj: Obj) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (!this.authorized(req)) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    try {
      if (this.options.beforeWrite && ['POST', 'PATCH', 'PUT', 'DELETE'].includes(req.method ?? 'GET'))
        await this.options.beforeWrite({ method: req.method ?? 'GET', path: url.pathname, contentType: req.headers['content-type'], body });
      this.options.beforeRequest?.(this);
      const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
      if (log && (req.method ?? 'GET') === 'GET') {
        const text = this.get('v1', 'pods', log[1], log[2] as string)
          ? this.options.logs?.(log[1] as string, log[2] as string, url.searchParams.get('container') ?? undefined)
          : undefined;
        if (text === undefined) return send(404, status(404, 'NotFound', `pods "${log[2]}" not found`));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(text);
        return;
      }
      const [code, obj] = this.dispatch(req.method ?? 'GET', url, body);
      send(code, obj);
    } catch (err) {
      send(500, status(500, 'InternalError', String(err)));
    }
  }

  private dispatch(method: string, url: URL, body: string): [number, Obj] {
    const path = url.pathname;
    if (path === '/version') {
      const [major = '1', minor = '28'] = this.serverVersion.replace(/^v/, '').split('.');
      return [200, { major, minor, gitVersion: this.serverVersion, platform: 'linux/amd64' }];
    }
    if (method === 'POST' && path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return [201, this.review(JSON.parse(body))];
    const r = this.route(path);
    if (!r) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const groupTypes = RESOURCES.filter((t) => apiVersionOf(t) === r.apiVersion && this.served(t));
    if (groupTypes.length === 0) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    if (r.rest.length === 0) {
      return [
        200,
        {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: r.apiVersion,
          resources: groupTypes.map((t) => ({
            name: t.resource,
            singularName: t.kind.toLowerCase(),
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
          })),
        },
      ];
    }
    // namespaces/<ns>/<resource>[/<name>[/<sub>]] or <resource>[/<name>[/<sub>]]
    let namespace: string | undefined;
    let rest = r.rest;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource = '', name, sub] = rest;
    const t = groupTypes.find((x) => x.resource === resource);
    if (!t || sub) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const notFound = () =>
      status(404, 'NotFound', `${t.resource}${t.group ? `.${t.group}` : ''} "${name}" not found`, {
        name,
        group: t.group,
        kind: t.resource,
      });

    if (!name) {
      if (method === 'GET') return [200, this.listResponse(t, namespace, url.searchParams.get('labelSelector') ?? undefined)];
      if (method === 'POST') return this.create(t, namespace, JSON.parse(body));
      if (method === 'DELETE') {
        for (const o of this.list(apiVersionOf(t), t.resource, namespace).filter((o) =>
          matchesSelector(o.metadata.labels, url.searchParams.get('labelSelector') ?? undefined),
        )) {
          this.deleteObject(t, o);
        }
        return [200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' }];
      }
    } else {
      const existing = this.get(apiVersionOf(t), t.resource, namespace, name);
      if (method === 'GET') return existing ? [200, this.wire(t, existing)] : [404, notFound()];
      if (method === 'DELETE') {
        if (!existing) return [404, notFound()];
        this.deleteObject(t, existing);
        return [
          200,
          t.kind === 'Pod' || t.kind === 'Namespace'
            ? this.wire(t, existing)
            : {
                kind: 'Status',
                apiVersion: 'v1',
                metadata: {},
                status: 'Success',
                details: { name, kind: t.resource, uid: existing.metadata.uid },
              },
        ];
      }
      if (method === 'PATCH' && this.requests.at(-1)?.contentType === 'application/merge-patch+json')
        return this.mergePatch(t, body, existing, notFound);
      if (method === 'PATCH') return this.apply(t, namespace, name, url, body, existing);
    }
    return [405, status(405, 'MethodNotAllowed', `${method} is not supported here`)];
  }

  private wire(t: ResourceType, obj: Obj): Obj {
    const copy = structuredClone(obj);
    if (copy.metadata.annotations) {
      for (const k of Object.keys(copy.metadata.annotations)) if (k.startsWith('podnet-fake/')) delete copy.metadata.annotations[k];
    }
    copy.apiVersion = apiVersionOf(t);
    copy.kind = t.kind;
    return copy;
  }

  private listResponse(t: ResourceType, namespace: string | undefined, labelSelector: string | undefined): Obj {
    const items = this.list(apiVersionOf(t), t.resource, namespace)
      .filter((o) => matchesSelector(o.metadata.labels, labelSelector))
      .map((o) => {
        const w = this.wire(t, o);
        // Lists of built-in types carry no apiVersion/kind per item; custom resources do.
        if (t.builtIn) {
          delete w.apiVersion;
          delete w.kind;
        }
        return w;
      });
    return { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  private create(t: ResourceType, namespace: string | undefined, obj: Obj): [number, Obj] {
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata ??= {};
    if (t.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        return [400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')];
      }
      obj.metadata.namespace = namespace;
      if (!this.get('v1', 'namespaces', undefined, namespace!))
        return [404, status(404, 'NotFound', `namespaces "${namespace}" not found`)];
    }
    if (this.get(apiVersionOf(t), t.resource, namespace, obj.metadata.name)) {
      return [409, status(409, 'AlreadyExists', `${t.resource} "${obj.metadata.name}" already exists`)];
    }
    obj.metadata.generation = 1;
    if (t.kind === 'Namespace') obj.status = { phase: 'Active' };
    this.put(obj);
    if (this.options.kubelet) {
      if (t.kind === 'Pod') this.startWithKubelet(obj, this.options.kubelet);
    } else {
      if (t.kind === 'Pod') this.scheduleAndStart(obj);
      if (t.kind === 'DaemonSet') this.reconcileDaemonSet(obj);
    }
    return [201, this.wire(t, obj)];
  }

  /**
   * A JSON merge patch (RFC 7386: objects merge, null removes, anything else replaces). As the
   * API server does, metadata.generation moves only when the spec changes.
   */
  private mergePatch(t: ResourceType, body: string, existing: Obj | undefined, notFound: () => Obj): [number, Obj] {
    if (!existing) return [404, notFound()];
    const merge = (target: unknown, patch: unknown): unknown => {
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
      const out: Obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
      for (const [key, value] of Object.entries(patch as Obj)) {
        if (value === null) delete out[key];
        else out[key] = merge(out[key], value);
      }
      return out;
    };
    const specBefore = JSON.stringify(existing.spec);
    const patched = merge(existing, JSON.parse(body)) as Obj;
    existing.spec = patched.spec;
    existing.metadata = { ...existing.metadata, labels: patched.metadata?.labels, annotations: patched.metadata?.annotations };
    if (JSON.stringify(existing.spec) !== specBefore) existing.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    this.put(existing);
    return [200, this.wire(t, existing)];
  }

  /** Server-side apply, as far as the target needs it: content type, field manager, namespace. */
  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    url: URL,
    body: string,
    existing: Obj | undefined,
  ): [number, Obj] {
    const contentType = this.requests.at(-1)?.contentType;
    if (contentType !== 'application/apply-patch+yaml') {
      return [
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (got ${contentType})`,
        ),
      ];
    }
    const manager = url.searchParams.get('fieldManager');
    if (!manager)
      return [
        422,
        status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'),
      ];
    const obj = parseYaml(body) as Obj;
    if (t.namespaced && obj.metadata?.namespace !== namespace) {
      return [400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')];
    }
    if (obj.metadata?.name !== name) return [400, status(400, 'BadRequest', 'the name of the object does not match the name on the URL')];
    if (!existing) {
      const [code, created] = this.create(t, namespace, obj);
      const stored = this.get(apiVersionOf(t), t.resource, namespace, name);
      if (stored) stored.metadata.managedFields = [{ manager, operation: 'Apply', apiVersion: obj.apiVersion }];
      return [code === 201 ? 201 : code, stored ? this.wire(t, stored) : created];
    }
    existing.metadata.labels = { ...(existing.metadata.labels ?? {}), ...(obj.metadata.labels ?? {}) };
    if (obj.spec) existing.spec = obj.spec;
    existing.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    existing.metadata.managedFields = [{ manager, operation: 'Apply', apiVersion: obj.apiVersion }];
    this.put(existing);
    return [200, this.wire(t, existing)];
  }

  private deleteObject(t: ResourceType, obj: Obj): void {
    if (t.kind === 'Pod') return this.deletePod(obj);
    if (t.kind === 'Namespace') {
      obj.status = { phase: 'Terminating' };
      obj.metadata.deletionTimestamp = new Date().toISOString();
      return;
    }
    if (t.kind === 'DaemonSet') {
      for (const p of this.list2('v1|pods|', obj.metadata.namespace)) {
        if (p.metadata.ownerReferences?.some((o: Obj) => o.uid === obj.metadata.uid)) this.deletePod(p);
      }
    }
    this.store.delete(this.key(t, obj.metadata.namespace, obj.metadata.name));
  }

  private review(body: Obj): Obj {
    const a = body.spec?.resourceAttributes ?? {};
    const denied = (this.options.deny ?? []).some(
      (d) => d.verb === a.verb && d.resource === a.resource && (d.subresource ?? '') === (a.subresource ?? ''),
    );
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body.spec,
      status: denied
        ? { allowed: false, reason: '' }
        : {
            allowed: true,
            reason:
              'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"',
          },
    };
  }

  // --- exec over WebSocket -------------------------------------------------------------------

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    const refuse = (code: number, text: string, obj: Obj) => {
      const payload = JSON.stringify(obj);
      socket.end(
        `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
    };
    this.requests.push({
      method: 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: undefined,
      body: '',
    });
    if (!this.authorized(req)) return refuse(401, 'Unauthorized', status(401, 'Unauthorized', 'Unauthorized'));
    if (!m) return refuse(404, 'Not Found', status(404, 'NotFound', 'the server could not find the requested resource'));
    try {
      this.options.beforeRequest?.(this);
    } catch (err) {
      return refuse(500, 'Internal Server Error', status(500, 'InternalError', String(err)));
    }
    const [, namespace = '', name = ''] = m;
    const pod = this.get('v1', 'pods', namespace, name);
    if (!pod) return refuse(404, 'Not Found', status(404, 'NotFound', `pods "${name}" not found`));
    const container = url.searchParams.get('container') || (pod.spec.containers.length === 1 ? pod.spec.containers[0].name : '');
    if (!pod.spec.containers.some((c: Obj) => c.name === container)) {
      return refuse(400, 'Bad Request', status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`));
    }
    if (pod.status?.phase !== 'Running') {
      return refuse(400, 'Bad Request', status(400, 'BadRequest', `pod ${name} is not running`));
    }
    const argv = url.searchParams.getAll('command');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const call: ExecCall = { namespace, pod: name, container, argv, protocol: ws.protocol };
      this.execs.push(call);
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      this.runExec(ws, call);
    });
  }

  private runExec(ws: WsSocket, call: ExecCall): void {
    const frame = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    frame(1, ''); // wsstream: an empty message on the lowest writable channel says the streams are open
    const finish = (exitCode: number | undefined, failure?: Obj) => {
      const s =
        failure ??
        (exitCode === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: error executing command [${call.argv.join(' ')}], exit code ${exitCode}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
            });
      frame(3, JSON.stringify(s));
      ws.close(1000);
    };
    const plan = this.options.exec ? this.options.exec(call) : { argv: call.argv };
    if (!('argv' in plan)) {
      if (plan.stdout) frame(1, plan.stdout);
      if (plan.stderr) frame(2, plan.stderr);
      if (plan.closeWithoutStatus) return ws.close(1000);
      return finish(plan.exitCode ?? 0, plan.status);
    }
    const [file = '', ...args] = plan.argv;
    // Its own process group, so that ending it takes its children along.
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.children.add(child);
    child.stdout.on('data', (c: Buffer) => frame(1, c));
    child.stderr.on('data', (c: Buffer) => frame(2, c));
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.children.delete(child);
      const message = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${file}": executable file not found in $PATH: unknown`;
      finish(undefined, {
        metadata: {},
        status: 'Failure',
        message,
        reason: 'InternalError',
        details: { causes: [{ message: err.code === 'ENOENT' ? message : String(err) }] },
        code: 500,
      });
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
      finish(code ?? 128 + (signal ? (signals[signal] ?? 0) : 0));
    });
    // A client that goes away leaves its process running, as on a real cluster; close() ends leftovers.
    if (this.options.keepProcessOnClientClose === false) {
      ws.on('close', () => {
        if (child.exitCode === null && child.signalCode === null) killGroup(child);
      });
    }
  }
}
