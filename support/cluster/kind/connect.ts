/**
 * Attaches a process (a cucumber worker) to a live cluster: loads the kubeconfig, checks the
 * API server answers, and returns the kind target. The run's session (session.ts) has
 * already applied the workloads and run the full preflight.
 */
import { loadKubeConfig, type KubeconfigOptions } from './kubeconfig.ts';
import { KindCluster, type KindClusterOptions } from './kind-cluster.ts';
import { call } from './api.ts';
import { redactingLogger, type Logger } from '../../redact.ts';
import { calicoctlRunner, findCalicoctl } from './calicoctl.ts';

export interface ConnectKindOptions extends KubeconfigOptions {
  /** The suite's namespace (default podnet-e2e). */
  namespace?: string | undefined;
  log?: Logger;
  /** Passed through to the target (node shell, timeouts, pod image). */
  cluster?: Omit<KindClusterOptions, 'kc' | 'workloadNamespace' | 'log'>;
}

export async function connectKind(options: ConnectKindOptions = {}): Promise<KindCluster> {
  const { kc } = loadKubeConfig(options);
  const log = redactingLogger(options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  const calicoctl = findCalicoctl();
  const cluster = new KindCluster({
    ...(calicoctl ? { calicoctl: calicoctlRunner(calicoctl, kc) } : {}),
    ...(options.cluster ?? {}),
    kc,
    ...(options.namespace ? { workloadNamespace: options.namespace } : {}),
    log,
  });
  await call(cluster.clients, 'read the server version', () => cluster.clients.version.getCode());
  return cluster;
}
