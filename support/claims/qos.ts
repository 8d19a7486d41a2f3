/**
 * Lesson 12: bandwidth limits from pod annotations. Felix shapes traffic to a pod with a tbf on
 * its host-side cali interface and traffic from it with a tbf on an IFB device that the cali
 * interface's ingress qdisc redirects every packet to. Read with tc, ip link and iperf3.
 */
import type { ExecResult, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { caliInterfaceName, ifbDeviceName } from '../net/calico.ts';
import { cidrContains } from '../net/cidr.ts';
import type { IperfInterval, IperfReport } from '../parse/iperf3.ts';
import type { Qdisc } from '../parse/tc.ts';
import { interfaceNamed, interfaces } from '../probes/interfaces.ts';
import { ifbDevices, ingressFiltersOf, qdiscsOf } from '../probes/qos.ts';
import type { Observation } from '../probes/observation.ts';
import { nodeTarget } from '../subjects.ts';

export const MBIT = 1_000_000;

export async function podNamed(cluster: Cluster, name: string): Promise<PodInfo> {
  const pod = (await cluster.pods({ namespace: cluster.workloadNamespace })).find((candidate) => candidate.name === name);
  if (!pod) throw new Error(`no pod ${name} in namespace ${cluster.workloadNamespace}: is the lesson's topology (calico-qos) deployed?`);
  return pod;
}

export function hostInterfaceOf(pod: PodInfo): string {
  return caliInterfaceName(pod.namespace, pod.name);
}

const mbits = (bitsPerSecond: number) => `${(bitsPerSecond / MBIT).toFixed(2)} Mbit/s`;

/** L12-01: every pod named is Running with its containers ready, on a worker, none on a control-plane node. */
export async function podsReadyOnWorker(cluster: Cluster, names: string[]): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const pods = await cluster.pods({ namespace: cluster.workloadNamespace });
  const rows = names.map((name) => {
    const pod = pods.find((candidate) => candidate.name === name);
    if (!pod) return { name, ok: false, text: `${name}: no such pod` };
    const role = nodes.find((node) => node.name === pod.node)?.role;
    const ready = pod.containers.filter((container) => container.ready).length;
    const ok = pod.phase === 'Running' && ready === pod.containers.length && pod.containers.length > 0 && role === 'worker';
    return { name, ok, text: `${name}: ${pod.phase} ${ready}/${pod.containers.length} on ${pod.node} (${role ?? 'unknown node'})` };
  });
  return verdict(
    rows.every((row) => row.ok),
    `${names.join(', ')} Running and Ready on a worker node, none on the control-plane`,
    list(rows.map((row) => row.text)),
  );
}

/** L12-02: a ClusterIP Service in the Service CIDR with one port, port/TCP → targetPort, whose ready endpoint is its pod's IP. */
export async function serviceOfPod(cluster: Cluster, service: string, port: number, targetPort: number, podName: string): Promise<Verdict> {
  const [services, slices, cidr, pod] = await Promise.all([
    cluster.services({ namespace: cluster.workloadNamespace }),
    cluster.endpointSlices({ namespace: cluster.workloadNamespace, service }),
    cluster.serviceCIDR(),
    podNamed(cluster, podName),
  ]);
  const found = services.find((candidate) => candidate.name === service);
  const ready = slices.flatMap((slice) => slice.endpoints.filter((endpoint) => endpoint.ready).flatMap((endpoint) => endpoint.addresses));
  const ports = found?.ports.map((entry) => `${entry.port}/${entry.protocol}→${entry.targetPort}`) ?? [];
  const slicePorts = [...new Set(slices.flatMap((slice) => slice.ports.map((entry) => `${entry.port}/${entry.protocol}`)))];
  const ok =
    found !== undefined &&
    found.type === 'ClusterIP' &&
    cidrContains(cidr, found.clusterIP) &&
    ports.length === 1 &&
    ports[0] === `${port}/TCP→${targetPort}` &&
    slicePorts.join() === `${targetPort}/TCP` &&
    ready.length === 1 &&
    ready[0] === pod.ip;
  return verdict(
    ok,
    `Service ${service}: ClusterIP in ${cidr}, one port ${port}/TCP→${targetPort}, its ready endpoint ${pod.ip} (${podName}) on ${targetPort}/TCP`,
    found
      ? `type ${found.type}, clusterIP ${found.clusterIP}, ports ${list(ports)}, endpoints ${list(ready)} on ${list(slicePorts)}`
      : 'no such Service',
  );
}

/** L12-03 / L12-10: the client reached the Service's ClusterIP on its port, and the receiver averaged more than `minBits`. */
export async function fastThroughService(
  cluster: Cluster,
  run: Observation<IperfReport>,
  service: string,
  port: number,
  minBits: number,
): Promise<Verdict> {
  const found = (await cluster.services({ namespace: cluster.workloadNamespace })).find((candidate) => candidate.name === service);
  const report = run.value;
  const average = report.received?.bitsPerSecond ?? 0;
  const ok =
    report.error === undefined &&
    found !== undefined &&
    report.connected?.remoteHost === found.clusterIP &&
    report.connected.remotePort === port &&
    average > minBits;
  return verdict(
    ok,
    `iperf3 connected to ${found?.clusterIP ?? `Service ${service}'s ClusterIP`} port ${port}, and the receiver averaged more than ${mbits(minBits)}`,
    report.error
      ? `iperf3: ${report.error}`
      : `connected to ${report.connected?.remoteHost ?? 'nothing'} port ${report.connected?.remotePort ?? '-'}, receiver averaged ${mbits(average)}`,
    run.evidence,
  );
}

/** L12-04: the pod's annotations include each of `wanted`. */
export async function annotationsInclude(cluster: Cluster, podName: string, wanted: Record<string, string>): Promise<Verdict> {
  const pod = await podNamed(cluster, podName);
  const seen = Object.entries(wanted).map(
    ([key, value]) => `${key}: ${pod.annotations[key] === undefined ? '(absent)' : JSON.stringify(pod.annotations[key])}`,
  );
  return verdict(
    Object.entries(wanted).every(([key, value]) => pod.annotations[key] === value),
    `${podName}'s annotations to include ${list(Object.entries(wanted).map(([key, value]) => `${key}: ${JSON.stringify(value)}`))}`,
    list(seen),
  );
}

function describeQdiscs(qdiscs: Qdisc[]): string {
  return list(
    qdiscs.map(
      (qdisc) =>
        `${qdisc.kind} ${qdisc.handle}${qdisc.root ? ' root' : ''}${qdisc.rate === undefined ? '' : ` rate ${mbits(qdisc.rate * 8)}`}`,
    ),
  );
}

/** L12-05: the pod's cali interface has a noqueue root and nothing else, no filter, and no IFB of its own. */
export async function notShaped(cluster: Cluster, podName: string): Promise<Verdict> {
  const pod = await podNamed(cluster, podName);
  const node = nodeTarget(pod.node);
  const cali = hostInterfaceOf(pod);
  const [qdiscs, filters, ifbs] = await Promise.all([
    qdiscsOf(cluster, node, cali),
    ingressFiltersOf(cluster, node, cali),
    ifbDevices(cluster, node),
  ]);
  const own = ifbs.value.filter(
    (device) => device.name === ifbDeviceName(cali) || filters.value.some((filter) => filter.mirred.some((m) => m.toDev === device.name)),
  );
  const ok =
    qdiscs.value.length === 1 &&
    qdiscs.value[0]?.kind === 'noqueue' &&
    qdiscs.value[0].root &&
    filters.value.length === 0 &&
    own.length === 0;
  return verdict(
    ok,
    `${cali} (${podName}) with a noqueue root qdisc only, no ingress filter, and no bwcali device of its own`,
    `qdiscs ${describeQdiscs(qdiscs.value)}; filters ${filters.value.length}; its IFB devices ${list(own.map((device) => device.name))}`,
    [...qdiscs.evidence, ...filters.evidence, ...ifbs.evidence],
  );
}

function rootTbf(qdiscs: Qdisc[]): Qdisc | undefined {
  return qdiscs.find((qdisc) => qdisc.root && qdisc.kind === 'tbf');
}

/** L12-06: a root tbf 1: on the pod's cali interface, at `rateBits`. */
export async function ingressShaped(cluster: Cluster, podName: string, rateBits: number): Promise<Verdict> {
  const pod = await podNamed(cluster, podName);
  const cali = hostInterfaceOf(pod);
  const qdiscs = await qdiscsOf(cluster, nodeTarget(pod.node), cali);
  const tbf = rootTbf(qdiscs.value);
  return verdict(
    tbf !== undefined && tbf.handle === '1:' && tbf.rate !== undefined && tbf.rate * 8 === rateBits,
    `${cali} (${podName}) with a root tbf 1: at rate ${mbits(rateBits)}`,
    describeQdiscs(qdiscs.value),
    qdiscs.evidence,
  );
}

export interface EgressShaping {
  ifb: string | undefined;
  evidence: ExecResult[];
}

/** L12-07: ingress qdisc ffff:, a u32 (protocol all) whose action redirects to an IFB that is UP, has the cali MTU and a root tbf at `rateBits`. */
export async function egressShaped(cluster: Cluster, podName: string, rateBits: number): Promise<Verdict & EgressShaping> {
  const pod = await podNamed(cluster, podName);
  const node = nodeTarget(pod.node);
  const cali = hostInterfaceOf(pod);
  const [qdiscs, filters, ifbs, links] = await Promise.all([
    qdiscsOf(cluster, node, cali),
    ingressFiltersOf(cluster, node, cali),
    ifbDevices(cluster, node),
    interfaces(cluster, node),
  ]);
  const ingress = qdiscs.value.find((qdisc) => qdisc.kind === 'ingress' && qdisc.handle === 'ffff:');
  const redirects = filters.value
    .filter((filter) => filter.kind === 'u32' && filter.protocol === 'all' && filter.parent === 'ffff:')
    .flatMap((filter) => filter.mirred.filter((m) => m.action === 'redirect' && m.direction === 'egress'));
  const target = redirects.length === 1 ? redirects[0]?.toDev : undefined;
  const device = ifbs.value.find((candidate) => candidate.name === target);
  const caliMtu = interfaceNamed(links.value, cali)?.mtu;
  const evidence = [...qdiscs.evidence, ...filters.evidence, ...ifbs.evidence, ...links.evidence];
  let ifbQdiscs: Qdisc[] = [];
  if (device) {
    const seen = await qdiscsOf(cluster, node, device.name);
    ifbQdiscs = seen.value;
    evidence.push(...seen.evidence);
  }
  const tbf = rootTbf(ifbQdiscs);
  const ok =
    ingress !== undefined &&
    target !== undefined &&
    target.startsWith('bwcali') &&
    device !== undefined &&
    device.flags.includes('UP') &&
    device.mtu === caliMtu &&
    tbf !== undefined &&
    tbf.rate !== undefined &&
    tbf.rate * 8 === rateBits;
  return {
    ...verdict(
      ok,
      `${cali} (${podName}) with qdisc ingress ffff: and a u32 filter (protocol all) redirecting to a bwcali… IFB that is UP, has ${cali}'s MTU (${caliMtu ?? '?'}) and a root tbf at ${mbits(rateBits)}`,
      `ingress qdisc ${ingress ? 'ffff:' : 'none'}; redirects to ${list(redirects.map((m) => m.toDev))}; ` +
        (device
          ? `${device.name} ${device.flags.includes('UP') ? 'UP' : 'down'}, MTU ${device.mtu}, qdiscs ${describeQdiscs(ifbQdiscs)}`
          : 'no such IFB device'),
      evidence,
    ),
    ifb: device?.name,
  };
}

/** L12-07: each pod has its own IFB. */
export function distinctIfbs(shapings: { pod: string; ifb: string | undefined }[]): Verdict {
  const names = shapings.map((shaping) => shaping.ifb);
  return verdict(
    names.every((name) => name !== undefined) && new Set(names).size === names.length,
    'each QoS pod with a bwcali device of its own',
    list(shapings.map((shaping) => `${shaping.pod}: ${shaping.ifb ?? 'none'}`)),
  );
}

/**
 * The receiver's intervals after the burst: a full bucket lets the first bytes through at the
 * line's rate (the course's first second), so the intervals at the start that are above the
 * tolerance are the burst; the last interval, cut short by the end of the test, is left out.
 */
export function settledIntervals(
  intervals: IperfInterval[],
  rateBits: number,
  tolerance: number,
): { burst: IperfInterval[]; settled: IperfInterval[] } {
  const whole = intervals.filter((interval) => interval.end - interval.start >= 0.9);
  let first = 0;
  while (first < whole.length && (whole[first]?.bitsPerSecond ?? 0) > rateBits * (1 + tolerance)) first++;
  return { burst: whole.slice(0, first), settled: whole.slice(first) };
}

/** L12-08: after the burst, every one-second interval at the receiver carries `rateBits` ± tolerance, and there is at least one. */
export function settlesAtLimit(run: Observation<IperfReport>, rateBits: number, tolerance: number): Verdict {
  const report = run.value;
  const { burst, settled } = settledIntervals(report.receiverIntervals, rateBits, tolerance);
  const within = (interval: IperfInterval) => Math.abs(interval.bitsPerSecond - rateBits) <= rateBits * tolerance;
  const show = (intervals: IperfInterval[]) =>
    list(intervals.map((interval) => `${interval.start.toFixed(2)}-${interval.end.toFixed(2)} s ${mbits(interval.bitsPerSecond)}`));
  return verdict(
    report.error === undefined && settled.length > 0 && settled.every(within),
    `every one-second interval at the receiver after the burst to carry ${mbits(rateBits)} ± ${Math.round(tolerance * 100)} %, at least one such interval`,
    report.error ? `iperf3: ${report.error}` : `burst ${show(burst)}; after it ${show(settled)}`,
    run.evidence,
  );
}

export interface TbfCounters {
  bytes: number;
  overlimits: number;
}

export async function tbfCounters(cluster: Cluster, node: string, dev: string | undefined): Promise<Observation<TbfCounters | undefined>> {
  if (dev === undefined) return { value: undefined, evidence: [] };
  const seen = await qdiscsOf(cluster, nodeTarget(node), dev, true);
  const stats = rootTbf(seen.value)?.stats;
  return { value: stats ? { bytes: stats.bytes, overlimits: stats.overlimits } : undefined, evidence: seen.evidence };
}

/** L12-09: during the run, the IFB's tbf sent at least what the receiver got, and its overlimits grew. */
export function shapedByIfb(
  dev: string | undefined,
  before: Observation<TbfCounters | undefined>,
  after: Observation<TbfCounters | undefined>,
  run: Observation<IperfReport>,
): Verdict {
  const received = run.value.received?.bytes ?? 0;
  const sent = before.value && after.value ? after.value.bytes - before.value.bytes : undefined;
  const overlimits = before.value && after.value ? after.value.overlimits - before.value.overlimits : undefined;
  return verdict(
    run.value.error === undefined && received > 0 && sent !== undefined && sent >= received && (overlimits ?? 0) > 0,
    `the tbf on ${dev ?? "the client's bwcali device"} to send at least the ${received} bytes iperf3 received, and its overlimits to grow`,
    dev === undefined
      ? "no filter on the client's cali interface redirects to a bwcali device"
      : sent === undefined
        ? `${dev} has no root tbf`
        : `Sent grew by ${sent} bytes, overlimits by ${overlimits}; iperf3 received ${received} bytes`,
    [...before.evidence, ...after.evidence, ...run.evidence],
  );
}

/** L12-10: after the pods' deletion, none of their cali interfaces or IFB devices is left on the node. */
export async function goneFromNode(cluster: Cluster, node: string, devices: string[]): Promise<Verdict> {
  const seen = await interfaces(cluster, nodeTarget(node));
  const left = devices.filter((device) => interfaceNamed(seen.value, device));
  return verdict(
    left.length === 0,
    `none of ${list(devices)} left on ${node}`,
    left.length ? `still there: ${list(left)}` : 'none left',
    seen.evidence,
  );
}
