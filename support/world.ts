/**
 * The Cucumber World: the target, the pods a scenario has named, what its When steps saw,
 * and the evidence it attaches. Small on purpose; logic lives in probes and claims.
 */
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import type { Cluster, ExecResult, PodInfo } from './cluster/cluster.ts';
import { ClaimAssertionError, attachmentName, formatExec, formatVerdict, type Verdict } from './evidence.ts';
import type { Observation } from './probes/observation.ts';
import type { PingResult } from './probes/parse/ping.ts';
import type { Capture } from './probes/capture.ts';
import { choosePod, namedPod } from './subjects.ts';
import { DEFAULT_TOPOLOGY } from './topology/catalogue.ts';

export interface PingSeen {
  from: PodInfo;
  to: PodInfo;
  count: number;
  observation: Observation<PingResult>;
}

export interface CaptureSeen {
  on: PodInfo;
  ping: PingSeen;
  observation: Observation<Capture<PingResult>>;
}

let sharedCluster: Cluster | undefined;

/** Set once per worker process by the BeforeAll hook. */
export function useCluster(cluster: Cluster | undefined): void {
  sharedCluster = cluster;
}

export class PodNetWorld extends World {
  readonly pods = new Map<string, PodInfo>();
  /** Pods this scenario created (lifecycle claims), deleted by the After hook. */
  readonly createdPods: PodInfo[] = [];
  /** Host interfaces seen when the scenario created a pod, to look for them after its deletion. */
  readonly hostInterfaces = new Map<string, string | undefined>();
  lastPing: PingSeen | undefined;
  lastCapture: CaptureSeen | undefined;
  /** The scenario's topology (its `@topology:` tag, else the default), set by the first Before hook. */
  topology = DEFAULT_TOPOLOGY;
  private topologyCluster: Cluster | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  get cluster(): Cluster {
    const cluster = this.topologyCluster ?? sharedCluster;
    if (!cluster) throw new Error('no cluster is connected (the Before hook that connects did not run or failed)');
    return cluster;
  }

  useTopology(topology: string, cluster: Cluster): void {
    this.topology = topology;
    this.topologyCluster = cluster;
  }

  pod(alias: string): PodInfo {
    return namedPod(this.pods, alias);
  }

  name(alias: string, pod: PodInfo): void {
    this.pods.set(alias, pod);
    this.attach(`"${alias}" is pod ${pod.namespace}/${pod.name} on node ${pod.node}, IP ${pod.ip}`, { mediaType: 'text/plain', fileName: `subject-${alias}.txt` });
  }

  /** Keeps a pod the scenario created, named, for the After hook to delete if the scenario does not. */
  created(alias: string, pod: PodInfo): void {
    this.createdPods.push(pod);
    this.name(alias, pod);
  }

  async deleteCreated(alias: string): Promise<void> {
    const pod = this.pod(alias);
    const index = this.createdPods.indexOf(pod);
    if (index < 0) throw new Error(`"${alias}" is not a pod this scenario created; it deletes only its own`);
    await this.cluster.deletePod(pod.namespace, pod.name);
    this.createdPods.splice(index, 1);
  }

  record(results: ExecResult[]): void {
    for (const result of results) this.attach(formatExec(result), { mediaType: 'text/plain', fileName: attachmentName(result) });
  }

  observe<T>(observation: Observation<T>): T {
    this.record(observation.evidence);
    return observation.value;
  }

  /** Attaches the verdict and its evidence, then fails the step if the claim does not hold. */
  async verify(pending: Verdict | Promise<Verdict>): Promise<void> {
    const verdict = await pending;
    this.record(verdict.evidence);
    for (const detail of verdict.details ?? []) this.attach(detail.body, { mediaType: detail.mediaType, fileName: detail.fileName });
    this.attach(formatVerdict(verdict), { mediaType: 'text/plain', fileName: verdict.ok ? 'verdict.txt' : 'verdict-FAILED.txt' });
    if (!verdict.ok) throw new ClaimAssertionError(verdict);
  }

  /**
   * The pods a diagnosis looks at: the last ping's ends, else the pods the scenario named,
   * else a multitool-1 pod on a worker and one on another worker.
   */
  async trafficSubjects(): Promise<[PodInfo | undefined, PodInfo | undefined]> {
    if (this.lastPing) return [this.lastPing.from, this.lastPing.to];
    const named = [...this.pods.values()];
    if (named.length > 0) return [named[0], named[1]];
    const picked = new Map<string, PodInfo>();
    try {
      picked.set('source', await choosePod(this.cluster, 'multitool-1', { kind: 'role', role: 'worker', other: false }, picked));
      picked.set('target', await choosePod(this.cluster, 'multitool-1', { kind: 'role', role: 'worker', other: true }, picked));
    } catch {
      // a cluster without the suite's workloads: diagnose what can be diagnosed without them
    }
    return [picked.get('source'), picked.get('target')];
  }

  requirePing(): PingSeen {
    if (!this.lastPing) throw new Error('no ping has run in this scenario yet; add a When step that pings');
    return this.lastPing;
  }

  requireCapture(): CaptureSeen {
    if (!this.lastCapture) throw new Error('no capture has run in this scenario yet; add a When step with a capture');
    return this.lastCapture;
  }
}

setWorldConstructor(PodNetWorld);
