/**
 * calicoctl, where the machine has it (the course installs it): run against the same cluster
 * and context as the suite, in Kubernetes-datastore mode (DATASTORE_TYPE=kubernetes, a
 * KUBECONFIG file written from the suite's own kubeconfig, removed afterwards).
 * `CALICOCTL` names the binary; else `calicoctl` on PATH; else none.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { findOnPath } from '../../exec/on-path.ts';

export type CalicoctlRunner = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export function findCalicoctl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CALICOCTL || findOnPath('calicoctl', env.PATH);
}

export function calicoctlRunner(binary: string, kc: KubeConfig, timeoutMs = 30_000): CalicoctlRunner {
  return (args) =>
    new Promise((resolve) => {
      const dir = mkdtempSync(join(tmpdir(), 'podnet-calicoctl-'));
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, kc.exportConfig(), { mode: 0o600 });
      execFile(
        binary,
        args,
        { timeout: timeoutMs, env: { ...process.env, DATASTORE_TYPE: 'kubernetes', KUBECONFIG: kubeconfig }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          rmSync(dir, { recursive: true, force: true });
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
          resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr || (error && !stderr ? error.message : '')) });
        },
      );
    });
}
