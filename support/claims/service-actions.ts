/**
 * The When side of Service claims: talk to a Service from a pod (by name or ClusterIP) and keep
 * what every backend logged and every node counted around it; delete a replica and wait for
 * its Deployment to replace it.
 */
import { eventually, waitUntil } from '../eventually.ts';
import { EnvironmentError, type PodInfo, type ServiceInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import type { ExecResult } from '../domain.ts';
import { captureDuring } from '../probes/capture.ts';
import type { Observation } from '../probes/observation.ts';
import type { Packet } from '../parse/tcpdump.ts';
import type { IptablesListing } from '../parse/iptables.ts';
import type { Connections } from '../parse/connection-loop.ts';
import { accessLog, natCounters, openConnections, sendLine, type LineExchange } from '../probes/services.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

/** How many requests each backend pod has logged: before and after an exchange, to see who answered. */
export interface BackendLogs {
  pod: PodInfo;
  /** Lines logged during the exchange, coming from the client's address. */
  fromClient: number;
  /** Every line logged during the exchange, with its client address. */
  newLines: { remoteAddr: string; request: string }[];
}

export interface ServiceExchange {
  client: PodInfo;
  service: ServiceInfo;
  /** The host the client dialled: the Service's name or its ClusterIP. */
  host: string;
  port: number;
  /** The nodes' InternalIPs: the source a masqueraded request of the client shows. */
  nodeIPs: string[];
  exchange?: Observation<LineExchange>;
  connections?: Observation<Connections>;
  backends: BackendLogs[];
  /** Per node: the nat table with counters before and after (when asked for). */
  counters?: { node: string; before: IptablesListing; after: IptablesListing }[];
  /** Packets on the client node's eth0 during the exchange (when asked for). */
  capture?: Packet[];
  evidence: ExecResult[];
}

export async function findService(cluster: Cluster, name: string): Promise<ServiceInfo> {
  const service = (await cluster.services({ namespace: cluster.workloadNamespace })).find((candidate) => candidate.name === name);
  if (!service)
    throw new EnvironmentError(
      `no Service "${name}" in namespace ${cluster.workloadNamespace}`,
      "check that the lesson's workloads are deployed (fixtures/lessons/)",
    );
  return service;
}

/** The pods behind a Service's ready endpoints (its EndpointSlices' targetRefs): where its traffic goes. */
export async function endpointPods(cluster: Cluster, service: ServiceInfo): Promise<PodInfo[]> {
  const [slices, pods] = await Promise.all([
    cluster.endpointSlices({ namespace: service.namespace, service: service.name }),
    cluster.pods({ namespace: service.namespace }),
  ]);
  const names = new Set(
    slices.flatMap((slice) =>
      slice.endpoints
        .filter((endpoint) => endpoint.ready && endpoint.targetRef?.kind === 'Pod')
        .map((endpoint) => endpoint.targetRef?.name),
    ),
  );
  return pods.filter((pod) => names.has(pod.name));
}

/** The pods a Service selects, as the API lists them. */
export async function selectedPods(cluster: Cluster, service: ServiceInfo): Promise<PodInfo[]> {
  const selector = service.selector ?? {};
  return (await cluster.pods({ namespace: service.namespace })).filter((pod) =>
    Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
  );
}

async function logsOf(cluster: Cluster, pods: PodInfo[]) {
  return Promise.all(pods.map(async (pod) => ({ pod, log: await accessLog(cluster, pod) })));
}

function logDelta(before: Awaited<ReturnType<typeof logsOf>>, after: Awaited<ReturnType<typeof logsOf>>, client: PodInfo): BackendLogs[] {
  return after.map(({ pod, log }) => {
    const earlier = before.find((entry) => entry.pod.name === pod.name)?.log.value.length ?? 0;
    const newLines = log.value.slice(earlier).map((line) => ({ remoteAddr: line.remoteAddr, request: line.request }));
    return { pod, fromClient: newLines.filter((line) => line.remoteAddr === client.ip).length, newLines };
  });
}

const LOG_WAIT_MS = 10_000;

export interface ExchangeOptions {
  byName: boolean;
  /** Read every node's nat counters before and after, and capture on the client node's eth0. */
  watchNodes?: boolean;
  /** Open this many connections instead of one exchange. */
  connections?: number;
}

export async function talkToService(
  cluster: Cluster,
  client: PodInfo,
  serviceName: string,
  port: number,
  line: string,
  options: ExchangeOptions,
): Promise<ServiceExchange> {
  const service = await findService(cluster, serviceName);
  const host = options.byName ? service.name : service.clusterIP;
  const backends = await endpointPods(cluster, service);
  const allNodes = await cluster.nodes();
  const nodes = options.watchNodes ? allNodes.map((node) => node.name) : [];
  const [logsBefore, countersBefore] = await Promise.all([
    logsOf(cluster, backends),
    Promise.all(nodes.map((node) => natCounters(cluster, node))),
  ]);
  const seen: ServiceExchange = {
    client,
    service,
    host,
    port,
    nodeIPs: allNodes.map((node) => node.internalIP),
    backends: [],
    evidence: [],
  };
  if (options.connections !== undefined) {
    seen.connections = await openConnections(cluster, podTarget(client), host, port, options.connections);
  } else if (options.watchNodes) {
    const captured = await captureDuring(cluster, nodeTarget(client.node), ['tcp', 'port', String(port)], `${client.node}-eth0`, () =>
      sendLine(cluster, podTarget(client), host, port, line),
    );
    seen.exchange = captured.value.during;
    seen.capture = captured.value.packets;
    seen.evidence.push(captured.evidence[0] as ExecResult);
  } else {
    seen.exchange = await sendLine(cluster, podTarget(client), host, port, line);
  }
  const countersAfter = await Promise.all(nodes.map((node) => natCounters(cluster, node)));
  // nginx writes its log line after it has sent the reply: wait, bounded, until every answered request is logged.
  const answered = seen.connections ? seen.connections.value.succeeded : seen.exchange?.value.reply ? 1 : 0;
  // If they never all are, the Then judges what the logs hold by then.
  let logsAfter: Awaited<ReturnType<typeof logsOf>> = [];
  await eventually(
    async () => {
      logsAfter = await logsOf(cluster, backends);
      seen.backends = logDelta(logsBefore, logsAfter, client);
      const logged = seen.backends.reduce((sum, backend) => sum + backend.newLines.length, 0);
      return { ok: logged >= answered, expected: `${answered} new log lines`, observed: `${logged}`, evidence: [] };
    },
    { withinMs: LOG_WAIT_MS, everyMs: 100 },
  );
  if (options.watchNodes) {
    seen.counters = nodes.map((node, index) => ({
      node,
      before: (countersBefore[index] as Observation<IptablesListing>).value,
      after: (countersAfter[index] as Observation<IptablesListing>).value,
    }));
    seen.evidence.push(...countersAfter.flatMap((observation) => observation.evidence));
  }
  seen.evidence.push(
    ...(seen.exchange?.evidence ?? []),
    ...(seen.connections?.evidence ?? []),
    ...logsAfter.flatMap((entry) => entry.log.evidence),
  );
  return seen;
}

export interface Replacement {
  service: ServiceInfo;
  deleted: PodInfo;
  replacement: PodInfo;
}

/** Deletes the first pod of the workload (by name) and waits, bounded, until the Deployment has replaced it with a Ready pod. */
export async function replaceOnePod(cluster: Cluster, workload: string, serviceName: string, timeoutMs = 120_000): Promise<Replacement> {
  const service = await findService(cluster, serviceName);
  // The same pod every run: the one on the last node (by name), so that a run can be repeated.
  const before = (await cluster.pods({ namespace: cluster.workloadNamespace, workload })).sort(
    (a, b) => byName(a.node, b.node) || byName(a.name, b.name),
  );
  const deleted = before.at(-1);
  if (!deleted) throw new EnvironmentError(`no ${workload} pod to delete in namespace ${cluster.workloadNamespace}`);
  await cluster.deletePod(deleted.namespace, deleted.name);
  return waitUntil(
    `the ${workload} Deployment to replace pod ${deleted.name} with a Ready pod`,
    async () => {
      const now = await cluster.pods({ namespace: cluster.workloadNamespace, workload });
      const fresh = now.find(
        (pod) =>
          !before.some((old) => old.name === pod.name) &&
          pod.phase === 'Running' &&
          pod.ip &&
          pod.containers.every((container) => container.ready),
      );
      return fresh
        ? { done: true, value: { service, deleted, replacement: fresh } }
        : { done: false, seen: now.map((pod) => `${pod.name} ${pod.phase}`).join(', ') || `no ${workload} pod` };
    },
    { withinMs: timeoutMs, everyMs: 500 },
  );
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
