/** Shared set-up of the kind target's contract tests: a fake API server and a kubeconfig for it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KindCluster, type KindClusterOptions } from '../../support/cluster/kind/kind-cluster.ts';
import { FakeApiServer, type FakeApiServerOptions } from './fake-apiserver.ts';

export interface Harness {
  fake: FakeApiServer;
  kc: KubeConfig;
  kubeconfigPath: string;
  dir: string;
  logs: string[];
  cluster(options?: Partial<KindClusterOptions>): KindCluster;
  close(): Promise<void>;
}

export async function harness(options: FakeApiServerOptions = {}, user?: Record<string, unknown>): Promise<Harness> {
  const fake = await FakeApiServer.withLab(options);
  const dir = mkdtempSync(path.join(tmpdir(), 'podnet-kind-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, fake.kubeconfig(user));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const logs: string[] = [];
  const clusters: KindCluster[] = [];
  return {
    fake,
    kc,
    kubeconfigPath,
    dir,
    logs,
    cluster(extra = {}) {
      const c = new KindCluster({
        kc,
        log: (line) => logs.push(line),
        pollIntervalMs: 20,
        // No Docker daemon in these tests: node shells take the pod path unless a test says otherwise.
        nodeShell: { mode: 'pod' },
        ...extra,
      });
      clusters.push(c);
      return c;
    },
    async close() {
      for (const c of clusters) await c.close().catch(() => undefined);
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Strips Calico's `nsenter -t 1 -n -m --` so a node command runs locally in the fake. */
export function runNodeCommandsLocally(call: { argv: string[] }): { argv: string[] } {
  const argv = call.argv[0] === 'nsenter' ? call.argv.slice(call.argv.indexOf('--') + 1) : call.argv;
  return { argv };
}
