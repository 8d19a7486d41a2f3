/**
 * Which target a run uses, what each target can do, and how a process (the e2e runner, a
 * cucumber worker) connects to it. `E2E_TARGET=kind|netns|auto`: auto means kind when the
 * kubeconfig's current context is a Kind cluster's, netns when no kubeconfig is configured.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { EnvironmentError, type TargetKind } from './domain.ts';
import { type Cluster } from './cluster/cluster.ts';

export interface TargetChoice {
  kind: TargetKind;
  /** Why this target: printed in the run's first line. */
  reason: string;
}

/** What differs between targets, in one place, so that no other module asks "is this kind?". */
export interface TargetTraits {
  /** Answers claims tagged @live-only (a live cluster does; the lab skips them). */
  answersLiveOnly: boolean;
  /** Can be broken on purpose with --fault (fault injection). */
  breaksOnPurpose: boolean;
  /** Opens a process's handle on the target, from the environment the runner set. */
  connect(env: NodeJS.ProcessEnv): Promise<Cluster>;
}

/** The environment variables through which the runner tells cucumber workers where to go. */
export const TARGET_ENV = {
  target: 'E2E_TARGET',
  lab: 'PODNET_LAB',
  namespace: 'E2E_NAMESPACE',
  context: 'E2E_CONTEXT',
} as const;

export const TARGETS: Record<TargetKind, TargetTraits> = {
  kind: {
    answersLiveOnly: true,
    breaksOnPurpose: false,
    async connect(env) {
      const { connectKind } = await import('./cluster/kind/connect.ts');
      return connectKind({ context: env[TARGET_ENV.context], namespace: env[TARGET_ENV.namespace] });
    },
  },
  netns: {
    answersLiveOnly: false,
    breaksOnPurpose: true,
    async connect(env) {
      const { NetnsCluster } = await import('./cluster/netns/netns-cluster.ts');
      return NetnsCluster.attach(env[TARGET_ENV.lab] ?? 'podnet');
    },
  },
};

export function isTargetKind(name: string): name is TargetKind {
  return Object.hasOwn(TARGETS, name);
}

export function chooseTarget(env: NodeJS.ProcessEnv = process.env): TargetChoice {
  const requested = env.E2E_TARGET || 'auto';
  if (isTargetKind(requested)) {
    if (TARGETS[requested].answersLiveOnly) namedKubeconfigs(env); // a named file must exist, whatever the target
    return { kind: requested, reason: `E2E_TARGET=${requested}` };
  }
  if (requested !== 'auto')
    throw new EnvironmentError(`E2E_TARGET="${requested}" is not a target`, `use E2E_TARGET=${Object.keys(TARGETS).join(', ')} or auto`);
  const named = namedKubeconfigs(env);
  const file = named[0] ?? join(env.HOME ?? homedir(), '.kube', 'config');
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

/**
 * The files KUBECONFIG names. A file named there (or with --kubeconfig) that is missing or
 * unreadable is an error: never a silent switch to another target.
 */
function namedKubeconfigs(env: NodeJS.ProcessEnv): string[] {
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      throw new EnvironmentError(
        `the kubeconfig ${file} (named by KUBECONFIG or --kubeconfig) ${why}`,
        'name an existing kubeconfig, or unset KUBECONFIG to use ~/.kube/config (or the embedded lab when there is none)',
      );
    }
  }
  return files;
}

function currentContext(file: string): string | undefined {
  try {
    const config = parse(readFileSync(file, 'utf8')) as { 'current-context'?: string } | null;
    return config?.['current-context'] || undefined;
  } catch {
    return undefined;
  }
}

export async function connect(env: NodeJS.ProcessEnv = process.env): Promise<Cluster> {
  return TARGETS[chooseTarget(env).kind].connect(env);
}
