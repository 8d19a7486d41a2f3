/**
 * Finds and loads the kubeconfig for the kind target.
 *
 * Where from, in order: an explicit `--kubeconfig` path; the `KUBECONFIG` list (files merged,
 * the first one's current-context wins, missing files skipped as kubectl does); `~/.kube/config`.
 * Which context: `--context`, else `kind-<name>` for a Kind cluster name, else the file's
 * current-context. A missing file or context is an EnvironmentError that says what to do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { EnvironmentError } from '../../domain.ts';
import { errorText, redact, registerKubeConfigSecrets } from '../../redact.ts';

export interface KubeconfigOptions {
  /** `--kubeconfig`: one file. */
  kubeconfig?: string;
  /** `--context`. */
  context?: string;
  /** A Kind cluster name: selects context `kind-<name>` unless `context` is given. */
  kindCluster?: string;
  /** Defaults to process.env (KUBECONFIG, HOME). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** The file(s) read, for messages. */
  files: string[];
  context: string;
  /** The API server URL (credentials never appear in it). */
  server: string;
}

/** The kubeconfig files that would be read, or undefined when nothing is configured. */
export function kubeconfigFiles(options: KubeconfigOptions = {}): string[] | undefined {
  const env = options.env ?? process.env;
  if (options.kubeconfig) return [path.resolve(options.kubeconfig)];
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length > 0) return list.map((f) => path.resolve(f));
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const fallback = path.join(home, '.kube', 'config');
  return fs.existsSync(fallback) ? [fallback] : undefined;
}

/** True when a kubeconfig is configured (what `E2E_TARGET=auto` uses to pick the kind target). */
export function kubeconfigConfigured(options: KubeconfigOptions = {}): boolean {
  // A configured but broken kubeconfig still counts: the run must fail, never fall back.
  return kubeconfigFiles(options) !== undefined;
}

function readFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    // YAML errors quote the offending text, which may be a credential: redact.
    throw new EnvironmentError(
      `cannot read kubeconfig ${file}: ${errorText(err)}`,
      'check the file (for Kind: `kind export kubeconfig --name <cluster> --kubeconfig <file>` rewrites it)',
    );
  }
}

export function loadKubeConfig(options: KubeconfigOptions = {}): LoadedKubeConfig {
  const candidates = kubeconfigFiles(options);
  const remedyCreate = options.kindCluster
    ? `create the cluster (\`npm run cluster:up\`) or export its kubeconfig: \`kind export kubeconfig --name ${options.kindCluster}\``
    : 'create a Kind cluster (`npm run cluster:up`), or pass --kubeconfig <file> / set KUBECONFIG';
  if (!candidates) {
    throw new EnvironmentError('no kubeconfig: --kubeconfig not given, KUBECONFIG unset and ~/.kube/config missing', remedyCreate);
  }
  const files = candidates.filter((f) => fs.existsSync(f));
  if (files.length === 0) {
    throw new EnvironmentError(`kubeconfig ${candidates.join(path.delimiter)} does not exist`, remedyCreate);
  }

  const kc = new KubeConfig();
  readFile(kc, files[0]!);
  for (const file of files.slice(1)) {
    const more = new KubeConfig();
    readFile(more, file);
    mergeMissing(kc, more);
  }
  registerKubeConfigSecrets(kc);

  const wanted = options.context ?? (options.kindCluster ? `kind-${options.kindCluster}` : kc.getCurrentContext());
  if (!wanted) {
    throw new EnvironmentError(
      `kubeconfig ${files.join(path.delimiter)} has no current-context`,
      `choose one with --context (available: ${contextNames(kc)})`,
    );
  }
  if (!kc.getContextObject(wanted)) {
    throw new EnvironmentError(
      `context "${wanted}" is not in kubeconfig ${files.join(path.delimiter)} (available: ${contextNames(kc)})`,
      options.kindCluster || wanted.startsWith('kind-')
        ? `check \`kind get clusters\`; export the cluster's context with \`kind export kubeconfig --name ${options.kindCluster ?? wanted.slice(5)}\``
        : 'choose an existing context with --context',
    );
  }
  kc.setCurrentContext(wanted);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new EnvironmentError(
      `context "${wanted}" names a cluster that is not in the kubeconfig`,
      'repair the kubeconfig or choose another context',
    );
  }
  return { kc, files, context: wanted, server: redact(cluster.server) };
}

/** kubectl's merge rule: the first file to define a name wins. */
function mergeMissing(into: KubeConfig, from: KubeConfig): void {
  const has = <T extends { name: string }>(list: T[], name: string) => list.some((x) => x.name === name);
  for (const c of from.getClusters()) if (!has(into.getClusters(), c.name)) into.addCluster(c);
  for (const u of from.getUsers()) if (!has(into.getUsers(), u.name)) into.addUser(u);
  for (const x of from.getContexts()) if (!has(into.getContexts(), x.name)) into.addContext(x);
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext());
}

function contextNames(kc: KubeConfig): string {
  const names = kc.getContexts().map((c) => c.name);
  return names.length ? names.join(', ') : 'none';
}
