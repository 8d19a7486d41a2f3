import { Then, When } from '@cucumber/cucumber';
import {
  MBIT,
  annotationsInclude,
  distinctIfbs,
  egressShaped,
  fastThroughService,
  goneFromNode,
  hostInterfaceOf,
  ingressShaped,
  notShaped,
  podNamed,
  podsReadyOnWorker,
  serviceOfPod,
  settlesAtLimit,
  shapedByIfb,
  tbfCounters,
  type TbfCounters,
} from '../support/claims/qos.ts';
import { ifbDeviceName } from '../support/net/calico.ts';
import type { Observation } from '../support/probes/observation.ts';
import type { IperfReport } from '../support/parse/iperf3.ts';
import { drainBuckets, ingressFiltersOf, iperf3, qdiscsShaped } from '../support/probes/qos.ts';
import { nodeTarget } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

declare module '../support/seen.ts' {
  interface Seen {
    /** An iperf3 client's run: the receiver's rates. */
    iperf: Observation<IperfReport>;
    /** The client's bwcali tbf counters before and after a run (the run itself is iperf). */
    tbfCounters: { dev: string | undefined; before: Observation<TbfCounters | undefined>; after: Observation<TbfCounters | undefined> };
    /** QoS pods deleted: their node, and their cali and bwcali devices. */
    deletedQosPods: { node: string; devices: string[] };
  }
}

const lastRun = (world: PodNetWorld): Observation<IperfReport> => world.seen('iperf', 'a When step that runs iperf3');

const names = (text: string) => text.split(',').map((name) => name.trim().replace(/^"|"$/g, ''));

Then(
  'the pods {string} are Running and Ready on a worker node, none on the control-plane node',
  async function (this: PodNetWorld, pods: string) {
    await this.verify(podsReadyOnWorker(this.cluster, names(pods)));
  },
);

Then(
  'the Service {string} is a ClusterIP Service in the Service CIDR with one port, {int}\\/TCP to {int}, whose ready endpoint is the IP of pod {string}',
  async function (this: PodNetWorld, service: string, port: number, targetPort: number, pod: string) {
    await this.verify(serviceOfPod(this.cluster, service, port, targetPort, pod));
  },
);

// iperf3's run lasts its window, then the receiver's report comes back.
const IPERF = { timeout: 240_000 };

When(
  '{string} runs iperf3 against {string} for {int} second(s)',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    const run = await iperf3(this.cluster, await podNamed(this.cluster, client), server, seconds);
    this.record(run.evidence);
    this.saw('iperf', run);
  },
);

/**
 * Empties the token buckets between the QoS client and server (the client's bwcali, found as a
 * learner finds it: where its cali interface's filter redirects to; the server's cali), so
 * that the run that follows measures the limit rather than Felix's default burst.
 */
async function emptyBucketsOnTheWay(
  world: PodNetWorld,
  client: string,
  server: string,
): Promise<{ pod: PodInfo; dev: string | undefined }> {
  const pod = await podNamed(world.cluster, client);
  const filters = await ingressFiltersOf(world.cluster, nodeTarget(pod.node), hostInterfaceOf(pod));
  world.record(filters.evidence);
  const dev = filters.value.flatMap((filter) => filter.mirred.map((mirred) => mirred.toDev))[0];
  const serverPod = await podNamed(world.cluster, server);
  const shapers = [{ node: serverPod.node, dev: hostInterfaceOf(serverPod) }, ...(dev ? [{ node: pod.node, dev }] : [])];
  const shaped = await qdiscsShaped(world.cluster, shapers);
  // A server iperf3 cannot reach leaves the buckets as they are: the measurement then reports why.
  if (shaped.length)
    await drainBuckets(world.cluster, pod, server, shaped).catch((error: Error) =>
      world.attach(`the token buckets were not emptied: ${error.message}`, { mediaType: 'text/plain', fileName: 'drain.txt' }),
    );
  return { pod, dev };
}

When(
  '{string} runs iperf3 against {string} for {int} seconds once the token buckets on the way are empty',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    const { pod } = await emptyBucketsOnTheWay(this, client, server);
    const run = await iperf3(this.cluster, pod, server, seconds);
    this.record(run.evidence);
    this.saw('iperf', run);
  },
);

When(
  '{string} runs iperf3 against {string} for {int} seconds once the token buckets on the way are empty, while the tbf on its bwcali device is counted',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    const { pod, dev } = await emptyBucketsOnTheWay(this, client, server);
    const before = await tbfCounters(this.cluster, pod.node, dev);
    const run = await iperf3(this.cluster, pod, server, seconds);
    const after = await tbfCounters(this.cluster, pod.node, dev);
    this.record(run.evidence);
    this.saw('iperf', run);
    this.saw('tbfCounters', { dev, before, after });
  },
);

Then(
  'iperf3 connected to port {int} of the ClusterIP of Service {string}, and the receiver averaged more than {int} Mbit\\/s',
  async function (this: PodNetWorld, port: number, service: string, mbits: number) {
    await this.verify(fastThroughService(this.cluster, lastRun(this), service, port, mbits * MBIT));
  },
);

Then(
  'the annotations of pod {string} include {string}: {string}',
  async function (this: PodNetWorld, pod: string, key: string, value: string) {
    await this.verify(annotationsInclude(this.cluster, pod, { [key]: value }));
  },
);

Then(
  'the host interface of pod {string} has a noqueue root qdisc and nothing else, no filter, and no bwcali device',
  async function (this: PodNetWorld, pod: string) {
    await this.verify(notShaped(this.cluster, pod));
  },
);

Then(
  'the host interface of pod {string} has a root tbf qdisc 1: at {int} Mbit\\/s',
  async function (this: PodNetWorld, pod: string, mbits: number) {
    await this.verify(ingressShaped(this.cluster, pod, mbits * MBIT));
  },
);

Then(
  "the host interfaces of pods {string} and {string} redirect every packet to a bwcali device of each pod's own, UP, with the interface's MTU and a root tbf at {int} Mbit\\/s",
  async function (this: PodNetWorld, first: string, second: string, mbits: number) {
    const shapings = [];
    for (const pod of [first, second]) {
      const shaping = await egressShaped(this.cluster, pod, mbits * MBIT);
      await this.verify(shaping);
      shapings.push({ pod, ifb: shaping.ifb });
    }
    await this.verify(distinctIfbs(shapings));
  },
);

Then(
  'every one-second interval at the receiver after the burst carries {int} Mbit\\/s ± {int} %',
  async function (this: PodNetWorld, mbits: number, percent: number) {
    await this.verify(settlesAtLimit(lastRun(this), mbits * MBIT, percent / 100));
  },
);

Then(
  "the tbf on the client's bwcali device sent at least the bytes iperf3 received, and counted overlimits",
  async function (this: PodNetWorld) {
    const counters = this.seen('tbfCounters', "a When step that runs iperf3 while the client's bwcali tbf is counted");
    await this.verify(shapedByIfb(counters.dev, counters.before, counters.after, lastRun(this)));
  },
);

When('the pods {string} are deleted', { timeout: 120_000 }, async function (this: PodNetWorld, list: string) {
  const { cluster } = this;
  const pods = await Promise.all(names(list).map((name) => podNamed(cluster, name)));
  const node = pods[0]?.node as string;
  const devices = pods.flatMap((pod) => [hostInterfaceOf(pod), ifbDeviceName(hostInterfaceOf(pod))]);
  for (const pod of pods) {
    await cluster.deletePod(pod.namespace, pod.name);
    // Put back as the learner applied it: same name, labels, QoS annotations, node.
    const annotations = Object.fromEntries(Object.entries(pod.annotations).filter(([key]) => key.startsWith('qos.projectcalico.org/')));
    this.changed(`pod ${pod.name}`, async () => {
      await cluster.createPod({ namespace: pod.namespace, name: pod.name, node: pod.node, labels: pod.labels, annotations });
    });
  }
  this.saw('deletedQosPods', { node, devices });
});

Then('their host interfaces and bwcali devices are gone from their node', async function (this: PodNetWorld) {
  const deleted = this.seen('deletedQosPods', 'the When step that deletes the QoS pods');
  await this.verify(goneFromNode(this.cluster, deleted.node, deleted.devices));
});
