/**
 * What a run holds on a live cluster from start to end: preflight, the suite's workloads
 * (applied and awaited), node shells warmed up on every node, and their removal at the end.
 * `env` tells cucumber workers how to reach the same cluster and namespace.
 */
import { EnvironmentError } from '../../domain.ts';
import { KindCluster } from './kind-cluster.ts';
import { loadKubeConfig, type KubeconfigOptions } from './kubeconfig.ts';
import { DEFAULT_NAMESPACE } from './labels.ts';
import { preflight } from './preflight.ts';
import { redactingLogger, type Logger } from '../../redact.ts';
import { SuiteWorkloads } from './workloads.ts';

export interface KindSessionOptions extends KubeconfigOptions {
  namespace?: string | undefined;
  keep?: boolean;
  /** Directory of the workload manifests (default fixtures/workloads). */
  workloadsDir?: string;
  /** The lessons' own workload folders (fixtures/lessons/lesson-NN/), for the lessons the run selects. */
  lessonDirs?: string[];
  readyTimeoutMs?: number;
  /** Node shell settings for the session's own shells. */
  nodeShell?: { mode?: 'auto' | 'docker' | 'pod'; image?: string; docker?: string };
}

export interface KindSession {
  description: string;
  env: Record<string, string>;
  cluster: KindCluster;
  /** Removes what the session set up (unless keep). Safe to call twice. */
  close(): Promise<void>;
}

export async function openKindSession(options: KindSessionOptions, rawLog: Logger): Promise<KindSession> {
  const log = redactingLogger(rawLog);
  const loaded = loadKubeConfig(options);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const cluster = new KindCluster({
    kc: loaded.kc,
    workloadNamespace: namespace,
    log,
    ...(options.nodeShell ? { nodeShell: options.nodeShell } : {}),
  });
  const workloads = new SuiteWorkloads({
    clients: cluster.clients,
    namespace,
    keep: options.keep === true,
    log,
    ...(options.workloadsDir ? { dir: options.workloadsDir } : {}),
    ...(options.lessonDirs?.length ? { extraDirs: options.lessonDirs } : {}),
    ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
  });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await cluster.close().catch(() => undefined);
    await workloads.teardown();
  };

  try {
    const report = await preflight({ clients: cluster.clients, namespace });
    await workloads.apply();
    // Every node reachable before any scenario runs (and, on the pod path, its shell pod
    // created once here for all workers, removed by this session).
    const nodes = await cluster.nodes();
    const paths = await Promise.all(
      nodes.map(async (n) => {
        const r = await cluster.exec({ kind: 'node', name: n.name }, ['true'], { timeoutMs: 120_000 });
        if (r.exitCode !== 0) {
          throw new EnvironmentError(
            `cannot run commands on ${r.where}: \`true\` exited ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`,
            'start Docker (Kind nodes are reached with docker exec), or allow privileged hostNetwork pods in the suite namespace',
          );
        }
        return cluster.nodeShell.pathKind(n.name);
      }),
    );
    await workloads.waitReady();
    const objects = workloads.manifests.map((m) => `${m.kind} ${m.metadata.name}`).join(', ');
    return {
      description: [
        `${cluster.describe()}, Kubernetes ${report.serverVersion}, ${report.pools} Calico IP pool(s)`,
        `workloads in ${namespace}: ${objects}${options.keep ? ' (kept after the run: --keep)' : ''}`,
        `node shell: ${[...new Set(paths)].map((p) => (p === 'docker' ? 'docker exec' : 'privileged pod + nsenter')).join(', ')}`,
      ].join('; '),
      env: { E2E_TARGET: 'kind', E2E_NAMESPACE: namespace, E2E_CONTEXT: loaded.context },
      cluster,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
