/**
 * The suite's workloads on a live cluster: the manifests in fixtures/workloads/ (the
 * multitool pod and the multitool-1/-2 DaemonSets), applied server-side into the suite's
 * namespace, labelled as the suite's, awaited until Ready, and deleted at the end unless kept.
 *
 * Objects that already exist in the namespace without the suite's label (the learner's own
 * lab, when the namespace is `default`) are used as they are and never deleted.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchStrategy, type KubernetesObject, type V1DaemonSet, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { EnvironmentError } from '../../domain.ts';
import { call, callOr404, type KubeClients } from './api.ts';
import { DEFAULT_NAMESPACE, FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './labels.ts';
import { describePodState, podIsReady } from './parse-core.ts';
import { errorText, type Logger } from '../../redact.ts';
import { pollUntil } from './wait.ts';

export const DEFAULT_WORKLOADS_DIR = fileURLToPath(new URL('../../../fixtures/workloads/', import.meta.url));

export interface Manifest extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
  spec?: Record<string, unknown>;
}

/** Every non-empty YAML document of every *.yaml / *.yml file in `dir`, in file-name order. */
export async function loadManifests(dir = DEFAULT_WORKLOADS_DIR): Promise<Manifest[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const manifests: Manifest[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if ('errors' in doc && doc.errors.length > 0) {
        throw new EnvironmentError(`cannot parse ${file}: ${doc.errors[0]?.message}`, 'fix the manifest');
      }
      const obj = doc.toJS() as Manifest | null;
      if (obj === null || obj === undefined || typeof obj !== 'object') continue; // empty or comment-only document
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
        throw new EnvironmentError(`${file}: a document without apiVersion, kind or metadata.name`, 'fix the manifest');
      }
      manifests.push(obj);
    }
  }
  return manifests;
}

/**
 * The manifest as the suite applies it: in `namespace`, with the suite's label on the
 * object and on its pod template (so its pods are recognisably the suite's too).
 */
export function prepareManifest(manifest: Manifest, namespace: string): Manifest {
  const copy = structuredClone(manifest);
  // A lesson's own namespace (lesson 05's `foo`) stays what it is; a Namespace is cluster-scoped.
  if (copy.kind === 'Namespace') delete copy.metadata.namespace;
  else if (!copy.metadata.namespace || copy.metadata.namespace === 'default') copy.metadata.namespace = namespace;
  copy.metadata.labels = { ...(copy.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  const template = (copy.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
  if (template) {
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    };
  }
  return copy;
}

export interface WorkloadsOptions {
  clients: KubeClients;
  namespace?: string;
  dir?: string;
  /** More manifest folders, applied after `dir` (a lesson's own workloads). */
  extraDirs?: string[];
  /** Keep everything after the run (`--keep`). */
  keep?: boolean;
  readyTimeoutMs?: number;
  pollIntervalMs?: number;
  log?: Logger;
}

const isOurs = (obj: KubernetesObject | undefined) => obj?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
const ref = (m: Manifest) => `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

export class SuiteWorkloads {
  readonly namespace: string;
  private readonly applied: Manifest[] = [];
  private readonly used: Manifest[] = [];
  private createdNamespace = false;
  private readonly log: Logger;

  constructor(private readonly options: WorkloadsOptions) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.log = options.log ?? (() => undefined);
  }

  /** Everything the suite applied, or found in place and uses. */
  get manifests(): Manifest[] {
    return [...this.applied, ...this.used];
  }

  async apply(): Promise<void> {
    await this.ensureNamespace();
    const { clients } = this.options;
    const manifests = [
      await loadManifests(this.options.dir),
      ...(await Promise.all((this.options.extraDirs ?? []).map((dir) => loadManifests(dir)))),
    ].flat();
    for (const raw of manifests) {
      const manifest = prepareManifest(raw, this.namespace);
      const existing = await callOr404(clients, `read ${ref(manifest)}`, () => clients.objects.read(manifestRef(manifest)));
      if (existing && !isOurs(existing)) {
        this.log(`using ${ref(manifest)} as found (not created by podnet-e2e: left in place afterwards)`);
        this.used.push(manifest);
        continue;
      }
      await call(clients, `apply ${ref(manifest)}`, () =>
        clients.objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
      );
      this.applied.push(manifest);
      this.log(`applied ${ref(manifest)} (server-side, field manager ${FIELD_MANAGER})`);
    }
  }

  private async ensureNamespace(): Promise<void> {
    const { clients } = this.options;
    const name = this.namespace;
    const existing = await callOr404(clients, `read namespace ${name}`, () => clients.core.readNamespace({ name }));
    if (existing?.status?.phase === 'Terminating') {
      this.log(`namespace ${name} is still terminating from an earlier run; waiting for it to go`);
      await this.waitNamespaceGone();
    } else if (existing) {
      // Left by an earlier run with --keep: still the suite's, so removed at the end.
      this.createdNamespace = isOurs(existing);
      return;
    }
    await call(clients, `create namespace ${name}`, () =>
      clients.core.createNamespace({ body: { metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } } }),
    );
    this.createdNamespace = true;
    this.log(`created namespace ${name}`);
  }

  /** Waits until every DaemonSet runs one Ready pod on each eligible node and every Pod is Ready. */
  async waitReady(): Promise<void> {
    for (const m of this.manifests) {
      if (m.kind === 'DaemonSet') await this.waitDaemonSet(m.metadata.name, m.metadata.namespace);
      else if (m.kind === 'StatefulSet') await this.waitStatefulSet(m.metadata.name);
      else if (m.kind === 'Deployment') await this.waitDeployment(m.metadata.name);
      else if (m.kind === 'Pod') await this.waitPod(m.metadata.name);
    }
  }

  private poll<T>(what: string, observe: Parameters<typeof pollUntil<T>>[1]): Promise<T> {
    return pollUntil(
      {
        what,
        timeoutMs: this.options.readyTimeoutMs ?? 180_000,
        intervalMs: this.options.pollIntervalMs ?? 2_000,
        remedy: `look at \`kubectl -n ${this.namespace} get pods -o wide\` and \`kubectl -n ${this.namespace} describe pods\` (image pulls, taints, CNI)`,
      },
      observe,
    );
  }

  private async waitStatefulSet(name: string): Promise<void> {
    const { clients } = this.options;
    const namespace = this.namespace;
    await this.poll(`StatefulSet ${namespace}/${name} to have all its replicas Ready`, async () => {
      const set = await call(clients, `read StatefulSet ${namespace}/${name}`, () =>
        clients.apps.readNamespacedStatefulSet({ namespace, name }),
      );
      const wanted = set.spec?.replicas ?? 1;
      const status = set.status ?? { replicas: 0 };
      return {
        done: (status.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && (status.readyReplicas ?? 0) === wanted,
        seen: `${status.readyReplicas ?? 0}/${wanted} replicas Ready`,
      };
    });
  }

  private async waitDaemonSet(name: string, inNamespace?: string): Promise<void> {
    const { clients } = this.options;
    const namespace = inNamespace ?? this.namespace;
    await this.poll(`DaemonSet ${namespace}/${name} to run one Ready pod on every eligible node`, async () => {
      const ds: V1DaemonSet = await call(clients, `read DaemonSet ${namespace}/${name}`, () =>
        clients.apps.readNamespacedDaemonSet({ namespace, name }),
      );
      const pods = (await call(clients, `list pods in ${namespace}`, () => clients.core.listNamespacedPod({ namespace }))).items.filter(
        (p) =>
          (p.metadata?.ownerReferences ?? []).some(
            (o) => o.kind === 'DaemonSet' && o.name === name && (!ds.metadata?.uid || o.uid === ds.metadata.uid),
          ),
      );
      const desired = ds.status?.desiredNumberScheduled ?? 0;
      const readyNodes = new Set(pods.filter(podIsReady).map((p) => p.spec?.nodeName));
      const observed = (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0);
      const notReady = pods.filter((p) => !podIsReady(p)).map(describePodState);
      return {
        done: observed && desired > 0 && readyNodes.size >= desired && pods.length === desired,
        seen: `${readyNodes.size}/${desired} eligible nodes have a Ready pod, ${pods.length} pods${notReady.length ? `; not ready: ${notReady.join('; ')}` : ''}`,
      };
    });
  }

  private async waitDeployment(name: string): Promise<void> {
    const { clients } = this.options;
    const namespace = this.namespace;
    await this.poll(`Deployment ${namespace}/${name} to have all its replicas Ready`, async () => {
      const deployment: V1Deployment = await call(clients, `read Deployment ${namespace}/${name}`, () =>
        clients.apps.readNamespacedDeployment({ namespace, name }),
      );
      const wanted = deployment.spec?.replicas ?? 1;
      const status = deployment.status ?? {};
      const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
      return {
        done:
          observed &&
          (status.readyReplicas ?? 0) === wanted &&
          (status.updatedReplicas ?? 0) === wanted &&
          (status.replicas ?? 0) === wanted,
        seen: `${status.readyReplicas ?? 0}/${wanted} replicas Ready (${status.replicas ?? 0} in all, ${status.updatedReplicas ?? 0} updated)`,
      };
    });
  }

  private async waitPod(name: string): Promise<void> {
    const { clients } = this.options;
    const namespace = this.namespace;
    await this.poll(`pod ${namespace}/${name} to be Ready`, async () => {
      const pod: V1Pod | undefined = await callOr404(clients, `read pod ${namespace}/${name}`, () =>
        clients.core.readNamespacedPod({ namespace, name }),
      );
      return { done: pod !== undefined && podIsReady(pod), seen: pod ? describePodState(pod) : 'no such pod yet' };
    });
  }

  /**
   * Deletes what the suite created: its namespace when it created it (which takes every
   * pod made in it along), else each applied object. Nothing when `keep`.
   */
  async teardown(): Promise<void> {
    if (this.options.keep) {
      this.log(`keeping the suite's workloads in namespace ${this.namespace} (--keep)`);
      return;
    }
    const { clients } = this.options;
    // A lesson's own namespaces (with everything in them) go first.
    for (const m of this.applied.filter((candidate) => candidate.kind === 'Namespace')) {
      await callOr404(clients, `delete ${ref(m)}`, () => clients.core.deleteNamespace({ name: m.metadata.name })).catch((err: unknown) =>
        this.log(`could not delete ${ref(m)}: ${errorText(err)}`),
      );
      this.log(`deleted namespace ${m.metadata.name}`);
    }
    if (this.createdNamespace) {
      await callOr404(clients, `delete namespace ${this.namespace}`, () => clients.core.deleteNamespace({ name: this.namespace }));
      await this.waitNamespaceGone().catch((err: unknown) =>
        this.log(`namespace ${this.namespace} is still terminating: ${errorText(err)}`),
      );
      this.log(`deleted namespace ${this.namespace}`);
      return;
    }
    for (const m of this.applied.splice(0).reverse()) {
      try {
        await callOr404(clients, `delete ${ref(m)}`, () => clients.objects.delete(manifestRef(m)));
        this.log(`deleted ${ref(m)}`);
      } catch (err) {
        this.log(`could not delete ${ref(m)}: ${errorText(err)}`);
      }
    }
    // Pods the suite made outside the manifests (scenario pods, node shells) carry its label.
    await callOr404(clients, `delete the suite's pods in ${this.namespace}`, () =>
      clients.core.deleteCollectionNamespacedPod({
        namespace: this.namespace,
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
        gracePeriodSeconds: 0,
      }),
    ).catch((err: unknown) => this.log(`could not delete the suite's pods in ${this.namespace}: ${errorText(err)}`));
  }

  private async waitNamespaceGone(): Promise<void> {
    const { clients } = this.options;
    const name = this.namespace;
    await this.poll(`namespace ${name} to be deleted`, async () => {
      const ns = await callOr404(clients, `read namespace ${name}`, () => clients.core.readNamespace({ name }));
      return { done: ns === undefined, seen: ns ? `phase ${ns.status?.phase ?? 'unknown'}` : 'gone' };
    });
  }
}

/** The identifying part of a manifest (what read/delete need). */
function manifestRef(m: Manifest): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } {
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) },
  };
}
