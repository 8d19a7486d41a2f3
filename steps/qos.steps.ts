import { Then, When } from '@cucumber/cucumber';
import {
  MBIT,
  annotationsInclude,
  distinctIfbs,
  egressShaped,
  fastThroughService,
  goneFromNode,
  ingressShaped,
  notShaped,
  podsReadyOnWorker,
  serviceOfPod,
  settlesAtLimit,
  shapedByIfb,
} from '../support/claims/qos.ts';
import {
  deleteQosPods,
  runIperf,
  runIperfCountingTbfOnceBucketsEmpty,
  runIperfOnceBucketsEmpty,
  type DeletedQosPods,
  type IperfRun,
  type TbfCountersSeen,
} from '../support/claims/qos-actions.ts';
import type { Observation } from '../support/probes/observation.ts';
import type { ServiceName } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';

declare module '../support/seen.ts' {
  interface Seen {
    /** An iperf3 client's run: the receiver's rates. */
    iperf: IperfRun;
    /** The client's bwcali tbf counters before and after a run (the run itself is iperf). */
    tbfCounters: TbfCountersSeen;
    /** QoS pods deleted: their node, and their cali and bwcali devices. */
    deletedQosPods: DeletedQosPods;
  }
}

const lastRun = (world: PodNetWorld): IperfRun => world.seen('iperf', 'a When step that runs iperf3');

/** Keeps an iperf3 run for the Thens, its commands in the report. */
function keepRun(world: PodNetWorld, run: IperfRun): void {
  world.record(run.evidence);
  world.saw('iperf', run);
}

/** Keeps a run and the tbf counters around it, after what emptied the buckets before it. */
function keepCountedRun(world: PodNetWorld, seen: Observation<{ run: IperfRun; counters: TbfCountersSeen }>): void {
  const { run, counters } = world.observe(seen);
  keepRun(world, run);
  world.saw('tbfCounters', counters);
}

const names = (text: string) => text.split(',').map((name) => name.trim().replace(/^"|"$/g, ''));

Then(
  'the pods {string} are Running and Ready on a worker node, none on the control-plane node',
  async function (this: PodNetWorld, pods: string) {
    await this.verify(podsReadyOnWorker(this.cluster, names(pods)));
  },
);

Then(
  'the Service {service} is a ClusterIP Service in the Service CIDR with one port, {int}\\/TCP to {int}, whose ready endpoint is the IP of pod {string}',
  async function (this: PodNetWorld, service: ServiceName, port: number, targetPort: number, pod: string) {
    await this.verify(serviceOfPod(this.cluster, service, port, targetPort, pod));
  },
);

// iperf3's run lasts its window, then the receiver's report comes back.
const IPERF = { timeout: 240_000 };

When(
  '{string} runs iperf3 against {string} for {int} second(s)',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    keepRun(this, await runIperf(this.cluster, client, server, seconds));
  },
);

When(
  '{string} runs iperf3 against {string} for {int} seconds once the token buckets on the way are empty',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    keepRun(this, this.observe(await runIperfOnceBucketsEmpty(this.cluster, client, server, seconds)));
  },
);

When(
  '{string} runs iperf3 against {string} for {int} seconds once the token buckets on the way are empty, while the tbf on its bwcali device is counted',
  IPERF,
  async function (this: PodNetWorld, client: string, server: string, seconds: number) {
    keepCountedRun(this, await runIperfCountingTbfOnceBucketsEmpty(this.cluster, client, server, seconds));
  },
);

Then(
  'iperf3 connected to port {int} of the ClusterIP of Service {service}, and the receiver averaged more than {int} Mbit\\/s',
  async function (this: PodNetWorld, port: number, service: ServiceName, mbits: number) {
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
  this.saw('deletedQosPods', await deleteQosPods(this.cluster, names(list), this.keepUndo));
});

Then('their host interfaces and bwcali devices are gone from their node', async function (this: PodNetWorld) {
  const deleted = this.seen('deletedQosPods', 'the When step that deletes the QoS pods');
  await this.verify(goneFromNode(this.cluster, deleted.node, deleted.devices));
});
