/**
 * The Cucumber World: the target, the pods a scenario has named, what its When steps saw,
 * and the evidence it attaches. Small on purpose; logic lives in probes and claims.
 *
 * What a When saw is one record per kind (`saw`), which the Thens read (`seen`): see seen.ts.
 */
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import type { CreatedPod, ExecResult, KeepUndo, NamedNode, PodInfo } from './domain.ts';
import type { Cluster } from './cluster/cluster.ts';
import { ClaimAssertionError, attachmentName, formatExec, formatVerdict, type Verdict } from './evidence.ts';
import type { EvidenceFile, Observation } from './probes/observation.ts';
import { choosePod, namedPod, routerTarget } from './subjects.ts';
import type { OutsidePingCapture } from './claims/nat-outgoing.ts';
import { DEFAULT_TOPOLOGY } from './topology/catalogue.ts';
import { topologySpec } from './topology-clusters.ts';
import { routerContainer } from './topology-facts.ts';
import { SeenRecords, type Seen } from './seen.ts';
import { keep, keepUndoForRun, type Restorer } from './undo.ts';

let sharedCluster: Cluster | undefined;

/** Set once per worker process by the BeforeAll hook. */
export function useCluster(cluster: Cluster | undefined): void {
  sharedCluster = cluster;
}

export class PodNetWorld extends World {
  readonly pods = new Map<string, PodInfo>();
  /** Nodes the scenario named ("called …"), by alias: their names. */
  readonly nodes = new Map<string, string>();
  /** Pods this scenario created (lifecycle claims), deleted by the After hook. */
  readonly createdPods: PodInfo[] = [];
  /** Host interfaces seen when the scenario created a pod, to look for them after its deletion. */
  readonly hostInterfaces = new Map<PodInfo, string | undefined>();
  /**
   * What the scenario changed in the cluster beyond its own pods (an IPReservation, a DaemonSet's
   * template, the router's MTU, sysctls, the Installation), each with the action that puts it
   * back; an After hook runs them last first, also when the scenario failed.
   */
  readonly restorers: Restorer[] = [];
  /** The scenario's topology (its `@topology:` tag, else the default), set by the first Before hook. */
  topology = DEFAULT_TOPOLOGY;
  private topologyCluster: Cluster | undefined;
  /** What this scenario's When steps saw; `step` is counted by a BeforeStep hook. */
  readonly records = new SeenRecords();

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

  /** The topology's router, as a place to run commands (its container on a live lab, its namespace in the embedded one). */
  router(): ReturnType<typeof routerTarget> {
    const name = routerContainer(topologySpec(this.topology));
    if (!name) throw new Error(`topology ${this.topology} has no router; tag the feature with a topology that has one`);
    return routerTarget(name);
  }

  /** Keeps how to put back what an action changes, for the After hook; the action names it before it changes anything. */
  readonly keepUndo: KeepUndo = (what, undo) => keep(this.restorers, { what, undo });

  /** Like `keepUndo`, for a change that stays for the rest of the run: put back when the run ends (undo.ts). */
  readonly keepUndoForRun: KeepUndo = keepUndoForRun;

  /** Keeps what this When step saw, for the Thens after it; a later When of the same kind replaces it. */
  saw<K extends keyof Seen>(kind: K, record: Seen[K]): Seen[K] {
    return this.records.keep(kind, record);
  }

  /** What the scenario's last When of this kind saw; without one, an error that says which When to add. */
  seen<K extends keyof Seen>(kind: K, whenToAdd: string): Seen[K] {
    return this.records.read(kind, whenToAdd);
  }

  /** The record of this kind if a When kept one (for the report's pictures and the diagnosis, which are no Then). */
  seenIfAny<K extends keyof Seen>(kind: K): Seen[K] | undefined {
    return this.records.peek(kind);
  }

  /** The ping from `alias` to the outside host under capture, which a When step of this scenario ran. */
  outsideCaptureOf(alias: string): OutsidePingCapture {
    const capture = this.seen('outsideCapture', 'a When step that pings the outside host under a capture');
    if (capture.from !== this.pod(alias))
      throw new Error(`no capture of a ping from "${alias}" to the outside host has run in this scenario`);
    return capture;
  }

  pod(alias: string): PodInfo {
    return namedPod(this.pods, alias);
  }

  name(alias: string, pod: PodInfo): void {
    this.pods.set(alias, pod);
    this.attach(`"${alias}" is pod ${pod.namespace}/${pod.name} on node ${pod.node}, IP ${pod.ip}`, {
      mediaType: 'text/plain',
      fileName: `subject-${alias}.txt`,
    });
  }

  /** Names a node for the scenario's later steps, and says in the report which it is (`detail`: its BGP address, …). */
  nameNode(alias: string, { node, detail }: NamedNode): void {
    this.nodes.set(alias, node);
    this.attach(`"${alias}" is node ${node}, ${detail}`, { mediaType: 'text/plain', fileName: `subject-${alias}.txt` });
  }

  node(alias: string): string {
    const node = this.nodes.get(alias);
    if (!node) throw new Error(`no node called "${alias}" in this scenario`);
    return node;
  }

  /** Keeps a pod the scenario created, named, for the After hook to delete if the scenario does not. */
  created(alias: string, pod: PodInfo): void {
    this.createdPods.push(pod);
    this.name(alias, pod);
  }

  /** Keeps a created pod's host interface as seen at its creation, for the Thens that look for it after the pod is gone. */
  keepHostInterface({ pod, hostInterface }: CreatedPod): void {
    this.hostInterfaces.set(pod, hostInterface);
  }

  async deleteCreated(pod: PodInfo): Promise<void> {
    const index = this.createdPods.indexOf(pod);
    if (index < 0) throw new Error(`pod ${pod.name} is not a pod this scenario created; it deletes only its own`);
    await this.cluster.deletePod(pod.namespace, pod.name);
    this.createdPods.splice(index, 1);
  }

  record(results: ExecResult[]): void {
    for (const result of results) this.attach(formatExec(result), { mediaType: 'text/plain', fileName: attachmentName(result) });
  }

  /** Attaches a line an action wrote for the report (which pods a change replaced, …) as `fileName`. */
  note(fileName: string, text: string): void {
    this.attach(text, { mediaType: 'text/plain', fileName });
  }

  /** Attaches files a probe brought back (a capture's .pcap). */
  attachFiles(files: EvidenceFile[] = []): void {
    for (const file of files) {
      if (typeof file.body === 'string') this.attach(file.body, { mediaType: file.mediaType, fileName: file.fileName });
      else this.attach(file.body, { mediaType: file.mediaType, fileName: file.fileName });
    }
  }

  observe<T>(observation: Observation<T>): T {
    this.record(observation.evidence);
    this.attachFiles(observation.files);
    return observation.value;
  }

  /** Attaches the verdict and its evidence, then fails the step if the claim does not hold. */
  async verify(pending: Verdict | Promise<Verdict>): Promise<void> {
    const verdict = await pending;
    this.record(verdict.evidence);
    this.attachFiles(verdict.details);
    this.attach(formatVerdict(verdict), { mediaType: 'text/plain', fileName: verdict.ok ? 'verdict.txt' : 'verdict-FAILED.txt' });
    if (!verdict.ok) throw new ClaimAssertionError(verdict);
  }

  /**
   * The pods a diagnosis looks at: the last ping's ends, else the pods the scenario named,
   * else a multitool-1 pod on a worker and one on another worker.
   */
  async trafficSubjects(): Promise<[PodInfo | undefined, PodInfo | undefined]> {
    const ping = this.seenIfAny('ping');
    if (ping) return [ping.from, ping.to];
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
}

setWorldConstructor(PodNetWorld);
