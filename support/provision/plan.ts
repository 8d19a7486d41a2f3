/**
 * Pure planners: options in, the list of steps `cluster:up` / `cluster:down` would take out.
 * Nothing here runs a command; the executor runs a plan, a dry run prints it.
 */
import type { Encapsulation } from '../net/calico.ts';
import {
  objectsOf,
  renderInstallation,
  renderKindConfig,
  renderWorkload,
  type Fixtures,
  KIND_CONFIG_FIXTURE,
  INSTALLATION_FIXTURE,
} from './manifests.ts';
import { calicoOperatorManifests, nodeImage, type NodeImage } from './versions.ts';
import { parseClabTopology } from '../topology/clab.ts';
import type { WaitCondition } from './waits.ts';

export interface UpOptions {
  name: string;
  /** The folder of fixtures/topologies/ to build. */
  topology: string;
  k8s: string;
  calico: string;
  /** Undefined keeps the fixture's encapsulation. */
  encapsulation: Encapsulation | undefined;
  /** The kubeconfig file kind writes and kubectl reads; undefined: kind's default ($KUBECONFIG or ~/.kube/config). */
  kubeconfig: string | undefined;
  /** Upper bound of each wait step. */
  waitTimeoutMs: number;
  /** The one namespace the scenarios read: where the topology's workloads go. */
  namespace: string;
}

export interface DownOptions {
  name: string;
  kubeconfig: string | undefined;
}

/** A manifest fed to a command's stdin. */
export interface Manifest {
  /** Where it comes from, and what was changed in it. */
  source: string;
  text: string;
}

/** What a guard step decides from its command's result. */
export type Guard =
  /** The command must succeed, else the environment is unusable (exit 2). */
  | { type: 'succeeds'; remedy: string }
  /** `kind get clusters` must not list the cluster (exit 2 if it does). */
  | { type: 'cluster-absent'; cluster: string; remedy: string }
  /** `kind get clusters` lists the cluster, else the rest of the plan is skipped (nothing to do). */
  | { type: 'cluster-present'; cluster: string }
  /** `kind version` must print the release that built the node image (exit 2 otherwise). */
  | { type: 'kind-version'; expected: string; image: string; remedy: string };

interface StepBase {
  description: string;
  argv: string[];
  /** Upper bound of one run of the command. */
  timeoutMs: number;
}

export type Step =
  | (StepBase & { kind: 'guard'; guard: Guard })
  | (StepBase & { kind: 'run'; stdin?: Manifest; createsCluster?: boolean })
  | (StepBase & {
      kind: 'wait';
      until: WaitCondition;
      waitTimeoutMs: number;
      intervalMs: number;
      /** A command that shows more than the poll does, suggested when the wait times out. */
      diagnose: string[];
    });

const SECOND = 1000;
const MINUTE = 60 * SECOND;
export const POLL_INTERVAL_MS = 5 * SECOND;

export function kindContext(name: string): string {
  return `kind-${name}`;
}

/** `kubectl` pinned to the cluster's context (never whatever context happens to be current). */
function kubectl(options: { name: string; kubeconfig: string | undefined }, ...args: string[]): string[] {
  const file = options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : [];
  return ['kubectl', ...file, '--context', kindContext(options.name), ...args];
}

function kubeconfigFlag(kubeconfig: string | undefined): string[] {
  return kubeconfig ? ['--kubeconfig', kubeconfig] : [];
}

function guardsBeforeCreate(name: string, image: NodeImage): Step[] {
  return [
    {
      kind: 'guard',
      description: `kind is ${image.kind.version}, the release that built ${image.ref.split('@')[0]}`,
      argv: ['kind', 'version'],
      timeoutMs: 30 * SECOND,
      guard: {
        type: 'kind-version',
        expected: image.kind.version,
        image: image.ref,
        remedy:
          `install kind ${image.kind.version} (https://github.com/kubernetes-sigs/kind/releases/download/${image.kind.version}/kind-linux-amd64, ` +
          `SHA-256 ${image.kind.linuxAmd64Sha256}), or choose the Kubernetes version your kind release lists (--k8s)`,
      },
    },
    {
      kind: 'guard',
      description: 'The Docker engine is reachable',
      argv: ['docker', 'info', '--format', '{{.ServerVersion}}'],
      timeoutMs: 30 * SECOND,
      guard: {
        type: 'succeeds',
        remedy: 'start Docker (or Docker Desktop) and make sure this user may use it: `docker info` must succeed',
      },
    },
    {
      kind: 'guard',
      description: `No Kind cluster named "${name}" exists yet`,
      argv: ['kind', 'get', 'clusters'],
      timeoutMs: 30 * SECOND,
      guard: {
        type: 'cluster-absent',
        cluster: name,
        remedy: `delete it first (npm run cluster:down -- --name ${name}) or choose another --name`,
      },
    },
  ];
}

/** The Kind cluster's name in a containerlab topology file (its k8s-kind node). */
export function clabKindName(clabText: string): string {
  const node = parseClabTopology(clabText).nodes.find((candidate) => candidate.kind === 'k8s-kind');
  if (!node) throw new Error('the containerlab topology has no k8s-kind node');
  return node.name;
}

/**
 * The containerlab family, for the nightly job: containerlab builds the Kind cluster (its
 * k8s-kind node reads the topology's Kind config), the router (FRR, where the course has
 * cEOS) and the links, and runs each node's exec lines; then Calico as for Kind.
 */
function clabSteps(options: UpOptions, clab: { file: string; text: string }): Step[] {
  return [
    {
      kind: 'guard',
      description: 'The Docker engine is reachable',
      argv: ['docker', 'info', '--format', '{{.ServerVersion}}'],
      timeoutMs: 30 * SECOND,
      guard: { type: 'succeeds', remedy: 'start Docker and make sure this user may use it: `docker info` must succeed' },
    },
    {
      kind: 'guard',
      description: 'containerlab is installed',
      argv: ['containerlab', 'version'],
      timeoutMs: 30 * SECOND,
      guard: { type: 'succeeds', remedy: 'install containerlab (https://containerlab.dev/install/), then try again' },
    },
    {
      kind: 'guard',
      description: `No Kind cluster named "${options.name}" exists yet`,
      argv: ['kind', 'get', 'clusters'],
      timeoutMs: 30 * SECOND,
      guard: { type: 'cluster-absent', cluster: options.name, remedy: `destroy it first: containerlab destroy -t ${clab.file}` },
    },
    {
      kind: 'run',
      description: `Deploy the containerlab topology ${clab.file}: Kind cluster "${options.name}", its router and links, each node's exec lines`,
      argv: ['containerlab', 'deploy', '--reconfigure', '-t', clab.file],
      timeoutMs: 15 * MINUTE,
      createsCluster: true,
    },
  ];
}

export function planClusterUp(options: UpOptions, fixtures: Fixtures): Step[] {
  if (fixtures.clab) options = { ...options, name: clabKindName(fixtures.clab.text) };
  const image = nodeImage(options.k8s);
  if (!image) throw new Error(`no node image is paired with a kind release for Kubernetes ${options.k8s} (options.ts checks --k8s)`);
  const kindConfig = renderKindConfig(fixtures.kindConfig, { name: options.name, image: image.ref });
  const installation = renderInstallation(fixtures.installation, options.encapsulation);
  const encapsulationNote = options.encapsulation ? `, pool encapsulation set to ${options.encapsulation}` : '';

  const operatorSteps: Step[] = calicoOperatorManifests(options.calico).map((url) => ({
    kind: 'run',
    description: `Install Calico ${options.calico}: ${url.slice(url.lastIndexOf('/') + 1)}`,
    argv: kubectl(options, 'create', '-f', url),
    timeoutMs: 3 * MINUTE,
  }));

  const create: Step[] = fixtures.clab
    ? clabSteps(options, fixtures.clab)
    : [
        ...guardsBeforeCreate(options.name, image),
        {
          kind: 'run',
          description: `Create the Kind cluster "${options.name}" with Kubernetes ${options.k8s} (node image built by kind ${image.kind.version})`,
          argv: [
            'kind',
            'create',
            'cluster',
            '--name',
            options.name,
            '--image',
            image.ref,
            '--config',
            '-',
            ...kubeconfigFlag(options.kubeconfig),
          ],
          stdin: { source: `${KIND_CONFIG_FIXTURE}, name and node image substituted`, text: kindConfig.text },
          timeoutMs: 10 * MINUTE,
          createsCluster: true,
        },
      ];
  return [
    ...create,
    ...operatorSteps,
    {
      kind: 'run',
      description: 'Wait until the operator CRDs are established',
      argv: kubectl(
        options,
        'wait',
        '--for=condition=Established',
        '--timeout=120s',
        'crd/installations.operator.tigera.io',
        'crd/apiservers.operator.tigera.io',
        'crd/tigerastatuses.operator.tigera.io',
      ),
      timeoutMs: 150 * SECOND,
    },
    {
      kind: 'run',
      description: `Create the Installation and APIServer from ${fixtures.installationFile ?? INSTALLATION_FIXTURE}`,
      argv: kubectl(options, 'create', '-f', '-'),
      stdin: { source: `${fixtures.installationFile ?? INSTALLATION_FIXTURE}${encapsulationNote}`, text: installation },
      timeoutMs: MINUTE,
    },
    {
      kind: 'wait',
      description: 'Wait until Calico and its API server are Available',
      argv: kubectl(options, 'get', 'tigerastatus', '-o', 'json'),
      until: { type: 'tigerastatus-available', names: ['calico', 'apiserver'] },
      timeoutMs: 30 * SECOND,
      waitTimeoutMs: options.waitTimeoutMs,
      intervalMs: POLL_INTERVAL_MS,
      diagnose: kubectl(options, 'get', 'tigerastatus,pods', '-A', '-o', 'wide'),
    },
    {
      kind: 'wait',
      description: 'Wait until every node is Ready',
      argv: kubectl(options, 'get', 'nodes', '-o', 'json'),
      until: { type: 'nodes-ready', count: kindConfig.nodeCount },
      timeoutMs: 30 * SECOND,
      waitTimeoutMs: options.waitTimeoutMs,
      intervalMs: POLL_INTERVAL_MS,
      diagnose: kubectl(options, 'describe', 'nodes'),
    },
    ...topologyObjectSteps(options, fixtures),
  ];
}

/** What each workload kind is waited for with, as the course's deploy scripts wait (kubectl wait / rollout status). */
const READY_WAITS: Record<string, (name: string, seconds: number) => string[]> = {
  Deployment: (name, seconds) => ['rollout', 'status', `deployment/${name}`, `--timeout=${seconds}s`],
  DaemonSet: (name, seconds) => ['rollout', 'status', `daemonset/${name}`, `--timeout=${seconds}s`],
  StatefulSet: (name, seconds) => ['rollout', 'status', `statefulset/${name}`, `--timeout=${seconds}s`],
  Pod: (name, seconds) => ['wait', '--for=condition=Ready', `pod/${name}`, `--timeout=${seconds}s`],
};

/**
 * After Calico and its API server are Available (the course's deploy scripts wait for
 * `tigerastatus apiserver` and `calico` first, as projectcalico.org/v3 is served only then):
 * the topology's Calico objects (calico/*.yaml: BGPConfiguration, BGPPeers, the LoadBalancer
 * pool), then its workloads (lessons/<lesson>/, workloads/) in the one namespace the scenarios
 * read, then a wait for each workload to be Ready. Cluster-scoped and Calico objects are
 * applied as written; the workloads carry no suite label, so a run uses them as found and
 * leaves them in place.
 */
function topologyObjectSteps(options: UpOptions, fixtures: Fixtures): Step[] {
  const calico: Step[] = (fixtures.calicoObjects ?? []).map((fixture) => ({
    kind: 'run',
    description: `Apply ${fixture.file}: ${describeObjects(objectsOf(fixture.text, fixture.file))}`,
    argv: kubectl(options, 'apply', '-f', '-'),
    stdin: { source: fixture.file, text: fixture.text },
    timeoutMs: MINUTE,
  }));
  const workloads = fixtures.workloads ?? [];
  if (workloads.length === 0) return calico;
  const namespace = options.namespace;
  const objects = workloads.flatMap((fixture) => objectsOf(fixture.text, fixture.file));
  const seconds = Math.round(options.waitTimeoutMs / SECOND);
  const waits: Step[] = objects.flatMap((object) => {
    const wait = READY_WAITS[object.kind];
    if (!wait) return [];
    const where = object.namespace && object.namespace !== 'default' ? object.namespace : namespace;
    return [
      {
        kind: 'run',
        description: `Wait until ${object.kind} ${where}/${object.name} is Ready`,
        argv: kubectl(options, '-n', where, ...wait(object.name, seconds)),
        timeoutMs: options.waitTimeoutMs + 30 * SECOND,
      } satisfies Step,
    ];
  });
  return [
    ...calico,
    {
      kind: 'run',
      description: `Namespace ${namespace}, where the scenarios read the topology's workloads`,
      argv: kubectl(options, 'apply', '-f', '-'),
      stdin: {
        source: `namespace ${namespace}`,
        text: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
      },
      timeoutMs: MINUTE,
    },
    ...workloads.map((fixture): Step => ({
      kind: 'run',
      description: `Apply ${fixture.file} in namespace ${namespace}: ${describeObjects(objectsOf(fixture.text, fixture.file))}`,
      argv: kubectl(options, 'apply', '-f', '-'),
      stdin: { source: `${fixture.file}, namespace default → ${namespace}`, text: renderWorkload(fixture.text, fixture.file, namespace) },
      timeoutMs: MINUTE,
    })),
    ...waits,
  ];
}

function describeObjects(objects: { kind: string; name: string }[]): string {
  return objects.map((object) => `${object.kind} ${object.name}`).join(', ');
}

export function planClusterDown(options: DownOptions): Step[] {
  return [
    {
      kind: 'guard',
      description: `A Kind cluster named "${options.name}" exists (otherwise there is nothing to delete)`,
      argv: ['kind', 'get', 'clusters'],
      timeoutMs: 30 * SECOND,
      guard: { type: 'cluster-present', cluster: options.name },
    },
    {
      kind: 'run',
      description: `Delete the Kind cluster "${options.name}" and its kubeconfig entry`,
      argv: ['kind', 'delete', 'cluster', '--name', options.name, ...kubeconfigFlag(options.kubeconfig)],
      timeoutMs: 5 * MINUTE,
    },
  ];
}

/** The programs a plan runs: what must be on PATH for a real run. */
export function toolsOf(steps: Step[]): string[] {
  return [...new Set(steps.map((step) => step.argv[0]).filter((tool): tool is string => tool !== undefined))].sort();
}
