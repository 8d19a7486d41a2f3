/**
 * The When side of lesson 12's bandwidth claims: iperf3 from the QoS client to its server, alone
 * or once the token buckets on the way are empty (and with the client's bwcali tbf counted
 * around it), and the QoS pods deleted, to be put back as the learner applied them.
 */
import type { KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { ifbDeviceName } from '../net/calico.ts';
import type { IperfReport } from '../parse/iperf3.ts';
import type { EvidenceFile, Observation } from '../probes/observation.ts';
import { drainBuckets, ingressFiltersOf, iperf3, qdiscsShaped } from '../probes/qos.ts';
import { nodeTarget } from '../subjects.ts';
import { hostInterfaceOf, podNamed, tbfCounters, type TbfCounters } from './qos.ts';

/** An iperf3 client's run: the receiver's rates. */
export type IperfRun = Observation<IperfReport>;

/** The client's bwcali tbf counters before and after a run. */
export interface TbfCountersSeen {
  dev: string | undefined;
  before: Observation<TbfCounters | undefined>;
  after: Observation<TbfCounters | undefined>;
}

/** QoS pods deleted: their node, and their cali and bwcali devices. */
export interface DeletedQosPods {
  node: string;
  devices: string[];
}

/** Runs iperf3 in the pod `client` against `server` for `seconds`. */
export async function runIperf(cluster: Cluster, client: string, server: string, seconds: number): Promise<IperfRun> {
  return iperf3(cluster, await podNamed(cluster, client), server, seconds);
}

/**
 * Empties the token buckets between the QoS client and server (the client's bwcali, found as a
 * learner finds it: where its cali interface's filter redirects to; the server's cali), so
 * that the run that follows measures the limit rather than Felix's default burst. The evidence
 * is the filter listing, and a note if the buckets could not be emptied.
 */
async function emptyBucketsOnTheWay(
  cluster: Cluster,
  client: string,
  server: string,
): Promise<Observation<{ pod: PodInfo; dev: string | undefined }>> {
  const pod = await podNamed(cluster, client);
  const filters = await ingressFiltersOf(cluster, nodeTarget(pod.node), hostInterfaceOf(pod));
  const dev = filters.value.flatMap((filter) => filter.mirred.map((mirred) => mirred.toDev))[0];
  const serverPod = await podNamed(cluster, server);
  const shapers = [{ node: serverPod.node, dev: hostInterfaceOf(serverPod) }, ...(dev ? [{ node: pod.node, dev }] : [])];
  const shaped = await qdiscsShaped(cluster, shapers);
  const files: EvidenceFile[] = [];
  // A server iperf3 cannot reach leaves the buckets as they are: the measurement then reports why.
  if (shaped.length)
    await drainBuckets(cluster, pod, server, shaped).catch((error: Error) => {
      files.push({ fileName: 'drain.txt', mediaType: 'text/plain', body: `the token buckets were not emptied: ${error.message}` });
    });
  return { value: { pod, dev }, evidence: filters.evidence, files };
}

/** Runs iperf3 as `runIperf` does once the token buckets on the way are empty; the evidence is the emptying's, the run keeps its own. */
export async function runIperfOnceBucketsEmpty(
  cluster: Cluster,
  client: string,
  server: string,
  seconds: number,
): Promise<Observation<IperfRun>> {
  const emptied = await emptyBucketsOnTheWay(cluster, client, server);
  const run = await iperf3(cluster, emptied.value.pod, server, seconds);
  return { ...emptied, value: run };
}

/** `runIperfOnceBucketsEmpty`, with the tbf on the client's bwcali device counted before and after the run. */
export async function runIperfCountingTbfOnceBucketsEmpty(
  cluster: Cluster,
  client: string,
  server: string,
  seconds: number,
): Promise<Observation<{ run: IperfRun; counters: TbfCountersSeen }>> {
  const emptied = await emptyBucketsOnTheWay(cluster, client, server);
  const { pod, dev } = emptied.value;
  const before = await tbfCounters(cluster, pod.node, dev);
  const run = await iperf3(cluster, pod, server, seconds);
  const after = await tbfCounters(cluster, pod.node, dev);
  return { ...emptied, value: { run, counters: { dev, before, after } } };
}

/** Deletes the pods named, one after another; each is put back as the learner applied it: same name, labels, QoS annotations, node. */
export async function deleteQosPods(cluster: Cluster, names: string[], keepUndo: KeepUndo): Promise<DeletedQosPods> {
  const pods = await Promise.all(names.map((name) => podNamed(cluster, name)));
  const node = pods[0]?.node as string;
  const devices = pods.flatMap((pod) => [hostInterfaceOf(pod), ifbDeviceName(hostInterfaceOf(pod))]);
  for (const pod of pods) {
    const annotations = Object.fromEntries(Object.entries(pod.annotations).filter(([key]) => key.startsWith('qos.projectcalico.org/')));
    // Named before the deletion; a pod that is still there (its deletion failed) is left as it is.
    keepUndo(`pod ${pod.name}`, async () => {
      const still = (await cluster.pods({ namespace: pod.namespace })).some((candidate) => candidate.name === pod.name);
      if (!still) await cluster.createPod({ namespace: pod.namespace, name: pod.name, node: pod.node, labels: pod.labels, annotations });
    });
    await cluster.deletePod(pod.namespace, pod.name);
  }
  return { node, devices };
}
