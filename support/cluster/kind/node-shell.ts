/**
 * Commands in a node's root namespaces.
 *
 * Two paths, chosen per node on first use and printed through the logger:
 *  - `docker exec <node> <argv>` when the Docker CLI reaches a daemon that runs a container
 *    of that name (Kind and containerlab nodes are containers);
 *  - otherwise a privileged hostNetwork + hostPID pod pinned to the node (spec.nodeName),
 *    running `nsenter -t 1 -n -m -- <argv>`, created on first use and deleted at close().
 * A router (a containerlab container, not a Kubernetes node) has only the first path: a pod
 * pinned to a node that does not exist would never start.
 */
import { execa } from 'execa';
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { EnvironmentError, type BackgroundOptions, type BackgroundProcess, type ExecOptions, type ExecResult } from '../../domain.ts';
import { runCommand, startBackgroundCommand, type Launched, type Launcher, type OutputSink } from './command.ts';
import { parsePod, podIsReady, describePodState } from './parse-core.ts';
import { podLauncher } from './pod-exec.ts';
import { errorText, httpStatus, type Logger } from '../../redact.ts';
import { pollUntil } from './wait.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './labels.ts';

export const DEFAULT_NODE_SHELL_IMAGE = 'praqma/network-multitool:latest';
export const NSENTER_PREFIX = ['nsenter', '-t', '1', '-n', '-m', '--'];

/** The tools container that shares a router container's network (execBesideContainer). */
export function toolsContainerName(container: string): string {
  return `podnet-tools-${container}`.slice(0, 63);
}

export interface NodeShellOptions {
  kc: KubeConfig;
  core: CoreV1Api;
  /** Where debug pods are created. */
  namespace: string;
  /** 'auto' tries Docker first; 'docker' and 'pod' force one path. */
  mode?: 'auto' | 'docker' | 'pod';
  /** Image of the debug pod; it needs sh and nsenter. */
  image?: string;
  /** The Docker CLI to call (tests point this at a stand-in). */
  docker?: string;
  log?: Logger;
  podReadyTimeoutMs?: number;
  pollIntervalMs?: number;
}

type Path = { kind: 'docker'; where: string; launch: Launcher } | { kind: 'pod'; where: string; launch: Launcher; pod: string };

/** A Launcher that runs argv through `docker exec <container>`. */
export function dockerLauncher(docker: string, container: string): Launcher {
  return async (argv: string[], sink: OutputSink): Promise<Launched> => {
    const sub = execa(docker, ['exec', container, ...argv], { reject: false, buffer: false, stdin: 'ignore' });
    sub.stdout?.on('data', (c: Buffer) => sink.stdout(c));
    sub.stderr?.on('data', (c: Buffer) => sink.stderr(c));
    const exit = sub.then((r) => {
      if (r.exitCode !== undefined) return r.exitCode;
      if (r.signal) return 128 + (signalNumber(r.signal) ?? 0);
      throw new EnvironmentError(`docker exec ${container} failed: ${errorText(r.originalMessage || r.shortMessage)}`);
    });
    return { exit, abort: () => void sub.kill('SIGKILL') };
  };
}

function signalNumber(name: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[name];
}

/** Pod names are DNS subdomains of at most 253 characters; node names already are. */
export function shellPodName(node: string): string {
  return `podnet-e2e-node-shell-${node}`
    .slice(0, 253)
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/[.-]+$/, '');
}

export function shellPodManifest(node: string, namespace: string, image: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: shellPodName(node),
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'app.kubernetes.io/component': 'node-shell' },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'shell',
          image,
          command: ['sleep', '2147483647'],
          securityContext: { privileged: true },
        },
      ],
    },
  };
}

export class NodeShell {
  private readonly paths = new Map<string, Promise<Path>>();
  private dockerReachable: Promise<boolean> | undefined;
  private readonly createdPods = new Set<string>();
  private readonly createdContainers = new Set<string>();
  private readonly log: Logger;
  private readonly docker: string;

  constructor(private readonly options: NodeShellOptions) {
    this.log = options.log ?? (() => undefined);
    this.docker = options.docker ?? 'docker';
  }

  exec(node: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.pathFor(node).then((p) => runCommand(p.where, p.launch, argv, options.timeoutMs));
  }

  startBackground(node: string, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    return this.pathFor(node).then((p) => startBackgroundCommand(p, argv, options));
  }

  /** A command in a router's container (docker exec only); a missing container is an EnvironmentError naming it. */
  execInContainer(container: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.pathFor(container, 'container').then((p) => runCommand(p.where, p.launch, argv, options.timeoutMs));
  }

  startBackgroundInContainer(container: string, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    return this.pathFor(container, 'container').then((p) => startBackgroundCommand(p, argv, options));
  }

  /**
   * A command in a router container's network namespace with the tools image's programs
   * (tcpdump): a router image need not have them (frrouting/frr has no tcpdump). It runs in a
   * tools container that shares the router's network (`docker run --network container:<router>`),
   * started on first use, kept for the files a capture writes and reads, and removed at close().
   */
  execBesideContainer(container: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.besidePathFor(container).then((p) => runCommand(p.where, p.launch, argv, options.timeoutMs));
  }

  startBackgroundBesideContainer(container: string, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    return this.besidePathFor(container).then((p) => startBackgroundCommand(p, argv, options));
  }

  private besidePathFor(container: string): Promise<Path> {
    return this.remembered(`beside ${container}`, () => this.besidePath(container));
  }

  private async besidePath(container: string): Promise<Path> {
    await this.containerPath(container); // the router itself must be there, with the same message as for a plain exec
    const tools = toolsContainerName(container);
    const image = this.options.image ?? DEFAULT_NODE_SHELL_IMAGE;
    if (await this.dockerUnusable(tools)) {
      const started = await execa(
        this.docker,
        ['run', '-d', '--rm', '--name', tools, '--network', `container:${container}`, '--entrypoint', 'sleep', image, 'infinity'],
        { reject: false, timeout: 120_000 },
      );
      if (started.exitCode !== 0 && !/already in use/.test(String(started.stderr)))
        throw new EnvironmentError(
          `cannot start the tools container ${tools} in the network of ${container}: ${String(started.stderr).trim() || `exit ${started.exitCode}`}`,
          `check that Docker can pull ${image} (docker pull ${image})`,
        );
      if (started.exitCode === 0) this.createdContainers.add(tools);
    }
    this.log(`tools beside container ${container}: docker exec ${tools} (${image}, network of ${container})`);
    return { kind: 'docker', where: `container ${container}'s network (docker exec ${tools})`, launch: dockerLauncher(this.docker, tools) };
  }

  /**
   * A command in the node's network namespace with the tools image's own programs (tcpdump, dig):
   * run straight in the node-shell pod (hostNetwork, the multitool image), without nsenter into
   * the node's mount namespace, whose image (kindest/node) has neither. Whatever path serves the
   * node's own commands, this one is always the pod: Docker can only run what the node image has.
   */
  execWithTools(node: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.toolsPathFor(node).then((p) => runCommand(p.where, p.launch, argv, options.timeoutMs));
  }

  startBackgroundWithTools(node: string, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    return this.toolsPathFor(node).then((p) => startBackgroundCommand(p, argv, options));
  }

  private toolsPathFor(node: string): Promise<Path> {
    return this.remembered(`tools ${node}`, () => this.toolsPath(node));
  }

  private async toolsPath(node: string): Promise<Path> {
    const pod = await this.ensureShellPod(node);
    this.log(`tools on node ${node}: hostNetwork pod ${this.options.namespace}/${pod} (${this.options.image ?? DEFAULT_NODE_SHELL_IMAGE})`);
    const launch = podLauncher(this.options.kc, { namespace: this.options.namespace, name: pod, container: 'shell' });
    return { kind: 'pod', pod, where: `node ${node}'s network (pod ${this.options.namespace}/${pod})`, launch };
  }

  /** Which path serves a node: 'docker' or 'pod' (chosen on first use). */
  async pathKind(node: string): Promise<'docker' | 'pod'> {
    return (await this.pathFor(node)).kind;
  }

  private pathFor(node: string, what: 'node' | 'container' = 'node'): Promise<Path> {
    return this.remembered(`${what} ${node}`, () => (what === 'node' ? this.choose(node) : this.containerPath(node)));
  }

  /** A path chosen once and kept; one that could not be made is forgotten, so the next use tries again. */
  private remembered(key: string, make: () => Promise<Path>): Promise<Path> {
    let p = this.paths.get(key);
    if (!p) {
      p = make();
      this.paths.set(key, p);
      p.catch(() => this.paths.delete(key));
    }
    return p;
  }

  private async containerPath(container: string): Promise<Path> {
    const why = await this.dockerUnusable(container);
    if (why)
      throw new EnvironmentError(
        `cannot reach container ${container} through Docker: ${why}`,
        'deploy the containerlab topology that holds it (`containerlab deploy -t <topology>.clab.yaml`) on the Docker host the CLI reaches',
      );
    this.log(`container ${container}: docker exec ${container}`);
    return { kind: 'docker', where: `container ${container} (docker exec)`, launch: dockerLauncher(this.docker, container) };
  }

  private async choose(node: string): Promise<Path> {
    const mode = this.options.mode ?? 'auto';
    if (mode !== 'pod') {
      const why = await this.dockerUnusable(node);
      if (!why) {
        this.log(`node shell for ${node}: docker exec ${node}`);
        return { kind: 'docker', where: `node ${node} (docker exec)`, launch: dockerLauncher(this.docker, node) };
      }
      if (mode === 'docker') {
        throw new EnvironmentError(
          `cannot reach node ${node} through Docker: ${why}`,
          'start Docker, or run with the node shell mode "auto"/"pod"',
        );
      }
      this.log(
        `node shell for ${node}: privileged pod ${this.options.namespace}/${shellPodName(node)} with nsenter (Docker path unusable: ${why})`,
      );
    } else {
      this.log(`node shell for ${node}: privileged pod ${this.options.namespace}/${shellPodName(node)} with nsenter`);
    }
    const pod = await this.ensureShellPod(node);
    const inner = podLauncher(this.options.kc, { namespace: this.options.namespace, name: pod, container: 'shell' });
    return {
      kind: 'pod',
      pod,
      where: `node ${node} (nsenter from pod ${this.options.namespace}/${pod})`,
      launch: (argv, sink) => inner([...NSENTER_PREFIX, ...argv], sink),
    };
  }

  /** Why `docker exec <node>` cannot be used, or undefined when it can. */
  private async dockerUnusable(node: string): Promise<string | undefined> {
    this.dockerReachable ??= execa(this.docker, ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 10_000 }).then(
      (r) => r.exitCode === 0,
    );
    if (!(await this.dockerReachable)) return 'the Docker CLI reaches no daemon';
    const inspect = await execa(this.docker, ['inspect', '--type', 'container', '--format', '{{.State.Running}}', node], {
      reject: false,
      timeout: 10_000,
    });
    if (inspect.exitCode !== 0) return `no container named ${node}`;
    if (String(inspect.stdout).trim() !== 'true') return `container ${node} is not running`;
    return undefined;
  }

  private async ensureShellPod(node: string): Promise<string> {
    const { core, namespace } = this.options;
    const manifest = shellPodManifest(node, namespace, this.options.image ?? DEFAULT_NODE_SHELL_IMAGE);
    const name = manifest.metadata!.name!;
    try {
      await core.createNamespacedPod({ namespace, body: manifest });
      this.createdPods.add(name);
    } catch (err) {
      if (httpStatus(err) === 404) {
        throw new EnvironmentError(
          `cannot create the node-shell pod ${namespace}/${name}: namespace ${namespace} does not exist`,
          `run through \`npm run e2e\` (which creates it), or \`kubectl create namespace ${namespace}\``,
        );
      }
      if (httpStatus(err) !== 409) {
        throw new EnvironmentError(
          `cannot create the node-shell pod ${namespace}/${name} on ${node}: ${errorText(err)}`,
          'start Docker so nodes are reached with docker exec, or allow privileged hostNetwork pods in that namespace (Pod Security "privileged")',
        );
      }
      // Made by another handle (the run's session, another worker): use it, leave it to its maker.
    }
    await pollUntil(
      {
        what: `node-shell pod ${namespace}/${name} to be Ready`,
        timeoutMs: this.options.podReadyTimeoutMs ?? 120_000,
        intervalMs: this.options.pollIntervalMs ?? 1_000,
        remedy: `check \`kubectl -n ${namespace} describe pod ${name}\` (image pull, Pod Security admission)`,
      },
      async () => {
        const pod = await core.readNamespacedPod({ namespace, name });
        const phase = parsePod(pod).phase;
        return {
          done: podIsReady(pod),
          seen: describePodState(pod),
          ...(phase === 'Failed' || phase === 'Succeeded' ? { fatal: `the pod ended (${phase})` } : {}),
        };
      },
    );
    return name;
  }

  /** Deletes the debug pods and tools containers this handle created (not those it found). */
  async close(): Promise<void> {
    const { core, namespace } = this.options;
    const names = [...this.createdPods];
    const containers = [...this.createdContainers];
    this.createdPods.clear();
    this.createdContainers.clear();
    this.paths.clear();
    await Promise.all(
      containers.map(async (name) => {
        const removed = await execa(this.docker, ['rm', '-f', name], { reject: false, timeout: 30_000 });
        if (removed.exitCode !== 0) this.log(`could not remove tools container ${name}: ${String(removed.stderr).trim()}`);
      }),
    );
    await Promise.all(
      names.map(async (name) => {
        try {
          await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
        } catch (err) {
          if (httpStatus(err) !== 404) this.log(`could not delete node-shell pod ${namespace}/${name}: ${errorText(err)}`);
        }
      }),
    );
  }
}
