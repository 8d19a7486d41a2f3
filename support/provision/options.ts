/**
 * The command line of bin/cluster.ts: `up` and `down` with their options, parsed strictly with
 * util.parseArgs. Anything wrong is a UsageError (exit code 2, usage printed).
 */
import { UsageError } from '../cli/usage-error.ts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENCAPSULATIONS, type Encapsulation } from '../net/calico.ts';
import type { DownOptions, UpOptions } from './plan.ts';
import { DEFAULT_TOPOLOGY, topologyDir } from '../topology/catalogue.ts';
import { DEFAULT_NAMESPACE } from '../cluster/kind/labels.ts';
import { DEFAULT_CALICO, DEFAULT_CLUSTER_NAME, DEFAULT_K8S, nodeImage, pairedK8sVersions } from './versions.ts';

const DEFAULT_WAIT_TIMEOUT_S = 600;

export const USAGE = `Usage:
  npm run cluster:up   -- [options]    create the course's Kind cluster with Calico
  npm run cluster:down -- [options]    delete it (nothing to do if it does not exist)
  (or: node --import tsx bin/cluster.ts up|down [options])

Options of up:
  --name <name>            Kind cluster name (default ${DEFAULT_CLUSTER_NAME}); kubectl context kind-<name>
  --topology <name>        a folder of fixtures/topologies/ (default ${DEFAULT_TOPOLOGY}); one with a
                           topology.clab.yaml is built by containerlab (Kind nodes, FRR router),
                           and its Kind cluster keeps the name its topology file gives it
  --k8s <vX.Y.Z>           Kubernetes version, the kindest/node image (default ${DEFAULT_K8S})
  --calico <vX.Y.Z>        Calico version installed through the Tigera operator (default ${DEFAULT_CALICO})
  --encapsulation <mode>   IP pool encapsulation: ${ENCAPSULATIONS.join('|')}
                           (default: what fixtures/topologies/kind/calico-installation.yaml says)
  --kubeconfig <path>      kubeconfig file to write the cluster's context to
                           (default: $KUBECONFIG or ~/.kube/config)
  --wait-timeout <s>       upper bound of each wait, in seconds (default ${DEFAULT_WAIT_TIMEOUT_S})
  --namespace <ns>         where the topology's workloads go: the namespace the scenarios read
                           (default ${DEFAULT_NAMESPACE}, as npm run e2e's --namespace)
  --dry-run                print every command and manifest, run nothing
  -h, --help               this text

Options of down:
  --name <name>, --kubeconfig <path>, --dry-run, -h/--help   as above
`;

export { UsageError };

export type Command =
  { command: 'help' } | { command: 'up'; options: UpOptions; dryRun: boolean } | { command: 'down'; options: DownOptions; dryRun: boolean };

const common = {
  name: { type: 'string' },
  kubeconfig: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const upOnly = {
  topology: { type: 'string' },
  k8s: { type: 'string' },
  calico: { type: 'string' },
  encapsulation: { type: 'string' },
  'wait-timeout': { type: 'string' },
  namespace: { type: 'string' },
} as const;

export function parseCommand(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing command: up or down');
  if (command === '-h' || command === '--help' || command === 'help') return { command: 'help' };
  if (command === 'up') return parseUp(rest);
  if (command === 'down') return parseDown(rest);
  throw new UsageError(`unknown command "${command}": expected up or down`);
}

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseUp(args: string[]): Command {
  const values = parse(args, { ...common, ...upOnly });
  if (values.help) return { command: 'help' };
  return {
    command: 'up',
    dryRun: values['dry-run'] === true,
    options: {
      name: clusterName(values.name),
      topology: topologyName(values.topology),
      k8s: pairedK8s(version('--k8s', values.k8s ?? DEFAULT_K8S)),
      calico: version('--calico', values.calico ?? DEFAULT_CALICO, /^v3\./),
      encapsulation: encapsulation(values.encapsulation),
      kubeconfig: kubeconfig(values.kubeconfig),
      waitTimeoutMs: waitTimeout(values['wait-timeout']) * 1000,
      namespace: namespaceName(values.namespace),
    },
  };
}

function parseDown(args: string[]): Command {
  const values = parse(args, common);
  if (values.help) return { command: 'help' };
  return {
    command: 'down',
    dryRun: values['dry-run'] === true,
    options: { name: clusterName(values.name), kubeconfig: kubeconfig(values.kubeconfig) },
  };
}

function topologyName(value: string | undefined): string {
  if (value === undefined) return DEFAULT_TOPOLOGY;
  topologyDir(value); // a UsageError naming the known topologies
  return value;
}

function namespaceName(value: string | undefined): string {
  const namespace = value ?? DEFAULT_NAMESPACE;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`--namespace "${namespace}": a DNS label (lower-case letters, digits and "-", at most 63 characters)`);
  }
  return namespace;
}

function clusterName(value: string | undefined): string {
  const name = value ?? DEFAULT_CLUSTER_NAME;
  if (!/^[a-z0-9]([a-z0-9.-]{0,48}[a-z0-9])?$/.test(name)) {
    throw new UsageError(`--name "${name}": use lower-case letters, digits, "-" and "." (at most 50 characters)`);
  }
  return name;
}

/** `1.28.0` and `v1.28.0` both mean v1.28.0. */
function version(flag: string, value: string, family?: RegExp): string {
  const normalized = value.startsWith('v') ? value : `v${value}`;
  if (!/^v\d+\.\d+\.\d+$/.test(normalized) || (family && !family.test(normalized))) {
    throw new UsageError(`${flag} "${value}": expected a release version such as ${flag === '--k8s' ? DEFAULT_K8S : DEFAULT_CALICO}`);
  }
  return normalized;
}

/** Only a version whose node image is paired with the kind release that built it. */
function pairedK8s(k8s: string): string {
  if (nodeImage(k8s)) return k8s;
  throw new UsageError(
    `--k8s "${k8s}": no kindest/node image of it is paired with the kind release that built it; ` +
      `choose one of ${pairedK8sVersions().join(', ')} (or add the image and its kind release, from kind's release notes, to support/provision/versions.ts)`,
  );
}

function encapsulation(value: string | undefined): Encapsulation | undefined {
  if (value === undefined) return undefined;
  const match = ENCAPSULATIONS.find((mode) => mode === value);
  if (!match) throw new UsageError(`--encapsulation "${value}": expected one of ${ENCAPSULATIONS.join(', ')}`);
  return match;
}

function kubeconfig(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new UsageError('--kubeconfig needs a path');
  return resolve(value);
}

function waitTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WAIT_TIMEOUT_S;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds <= 0) throw new UsageError(`--wait-timeout "${value}": expected a positive number of seconds`);
  return seconds;
}
