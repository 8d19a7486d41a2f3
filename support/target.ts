/**
 * Which target a run uses, and how a process (the e2e runner, a cucumber worker) connects to it.
 * `E2E_TARGET=kind|netns|auto`: auto means kind when a kubeconfig is configured, else netns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { EnvironmentError, type Cluster, type TargetKind } from './cluster/cluster.ts';

export interface TargetChoice {
  kind: TargetKind;
  /** Why this target: printed in the run's first line. */
  reason: string;
}

export function chooseTarget(env: NodeJS.ProcessEnv = process.env): TargetChoice {
  const requested = env.E2E_TARGET ?? 'auto';
  if (requested === 'kind' || requested === 'netns') return { kind: requested, reason: `E2E_TARGET=${requested}` };
  if (requested !== 'auto') throw new EnvironmentError(`E2E_TARGET="${requested}" is not a target`, 'use E2E_TARGET=kind, netns or auto');
  const file = env.KUBECONFIG?.split(delimiter).find(Boolean) ?? join(env.HOME ?? homedir(), '.kube', 'config');
  if (!existsSync(file)) return { kind: 'netns', reason: 'no kubeconfig is configured (KUBECONFIG unset, no ~/.kube/config)' };
  // A configured kubeconfig means a cluster, but only a Kind cluster is chosen on its own:
  // the suite applies workloads and, without Docker, privileged pods, which no one should get
  // on a production cluster by forgetting which context is current.
  const context = env[TARGET_ENV.context] ?? currentContext(file);
  if (context?.startsWith('kind-')) return { kind: 'kind', reason: `${file} has the Kind context ${context}` };
  throw new EnvironmentError(
    `${file} is configured, and its context ${context ? `"${context}"` : '(none)'} is not a Kind cluster's, so the target is not chosen for you`,
    `run against it on purpose with --target kind (and --context <name>), or use the embedded lab with --target netns`,
  );
}

function currentContext(file: string): string | undefined {
  try {
    const config = parse(readFileSync(file, 'utf8')) as { 'current-context'?: string } | null;
    return config?.['current-context'] || undefined;
  } catch {
    return undefined;
  }
}

/** The environment variables through which the runner tells cucumber workers where to go. */
export const TARGET_ENV = {
  target: 'E2E_TARGET',
  lab: 'PODNET_LAB',
  namespace: 'E2E_NAMESPACE',
  context: 'E2E_CONTEXT',
} as const;

export async function connect(env: NodeJS.ProcessEnv = process.env): Promise<Cluster> {
  const choice = chooseTarget(env);
  if (choice.kind === 'netns') {
    const { NetnsCluster } = await import('./cluster/netns/netns-cluster.ts');
    return NetnsCluster.attach(env[TARGET_ENV.lab] ?? 'podnet');
  }
  const { connectKind } = await import('./cluster/kind/connect.ts');
  return connectKind({ context: env[TARGET_ENV.context], namespace: env[TARGET_ENV.namespace] });
}
