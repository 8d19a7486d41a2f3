/**
 * Felix's bandwidth QoS, as Calico v3.30 programs it with the Linux data plane.
 *
 * What each piece follows (projectcalico/calico, v3.30):
 * - the annotations: libcalico-go's pod → WorkloadEndpoint conversion reads
 *   `qos.projectcalico.org/ingressBandwidth` / `egressBandwidth` (and `…Burst`) as Kubernetes
 *   quantities in bit/s; a bandwidth without its burst gets the default burst of 4 Gi bits
 *   (`defaultBurst`, lib/backend/k8s/conversion/workload_endpoint_default.go);
 * - when: felix/dataplane/linux/qos_bandwidth.go, maybeUpdateQoSBandwidth, on every update of a
 *   WorkloadEndpoint: adds what is wanted and missing, removes what is no longer wanted, and on
 *   the endpoint's removal removes both directions from its old interface (the IFB with it);
 * - what: felix/dataplane/linux/qos/qos.go:
 *   - ingress (to the pod): `tbf` root qdisc, handle 1:, on the host-side cali interface
 *     (CreateIngressQdisc → createOrUpdateTBF, a QdiscReplace);
 *   - egress (from the pod): an IFB device named GetIfbDeviceName(cali) (`bwcali` + the SHA-1 of
 *     the interface name in hex, cut to 15 characters), UP, with the interface's MTU (CreateIfb);
 *     an `ingress` qdisc ffff: on the cali interface; a u32 filter (protocol all, priority 1,
 *     classid 1:1, match-all) whose action is a mirred egress redirect to the IFB; and a `tbf`
 *     root qdisc 1: on the IFB (CreateEgressQdisc);
 *   - the token bucket (GetTBFValues): rate = bandwidth / 8 bytes/s; buffer = the time to send
 *     the burst at that rate, in scheduler ticks (µs × the tick length of /proc/net/psched),
 *     capped at 2³²−1; limit = rate × 25 ms + buffer, capped at 2³²−1 (the buffer's ticks
 *     added to bytes, as upstream does). `tc` takes the burst in bytes, so the lab hands it the
 *     burst that gives Felix's buffer back.
 */
import { readFileSync } from 'node:fs';
import { run, runChecked } from '../../exec/run.ts';
import type { LabPod, LabState } from '../model.ts';
import { findNode } from '../model.ts';
import { runBatch } from '../kernel.ts';
import { ifbDeviceName } from '../../net/calico.ts';
import { parseQuantity } from '../../net/quantity.ts';

export const INGRESS_BANDWIDTH_ANNOTATION = 'qos.projectcalico.org/ingressBandwidth';
export const EGRESS_BANDWIDTH_ANNOTATION = 'qos.projectcalico.org/egressBandwidth';
export const INGRESS_BURST_ANNOTATION = 'qos.projectcalico.org/ingressBurst';
export const EGRESS_BURST_ANNOTATION = 'qos.projectcalico.org/egressBurst';

/** libcalico-go's defaultBurst: 4 Gi bits. */
export const DEFAULT_BURST_BITS = 4 * 1024 ** 3;
/** qos.go's latencyMillis. */
const LATENCY_MS = 25;
const U32_MAX = 2 ** 32 - 1;

// Faults of lesson 12 that change what Felix does (faults/qos.ts describes them).
export const QOS_IGNORED_FAULT = 'qos-annotations-ignored';
export const QOS_RATE_IN_BYTES_FAULT = 'qos-rate-in-bytes';
export const QOS_NO_REDIRECT_FAULT = 'qos-no-ifb-redirect';
export const QOS_IFB_LEFT_BEHIND_FAULT = 'qos-ifb-left-behind';
export const QOS_EVERY_POD_FAULT = 'qos-shapes-every-pod';

export interface QosControls {
  /** bit/s toward the pod; undefined: not shaped. */
  ingressBandwidth?: number;
  ingressBurst?: number;
  egressBandwidth?: number;
  egressBurst?: number;
}

/** The QoS controls a pod's annotations ask for (a burst without its bandwidth means nothing). */
export function qosControlsOf(annotations: Record<string, string>): QosControls {
  const read = (key: string) => (annotations[key] === undefined ? undefined : parseQuantity(annotations[key] as string, key));
  const ingressBandwidth = read(INGRESS_BANDWIDTH_ANNOTATION);
  const egressBandwidth = read(EGRESS_BANDWIDTH_ANNOTATION);
  return {
    ...(ingressBandwidth ? { ingressBandwidth, ingressBurst: read(INGRESS_BURST_ANNOTATION) ?? DEFAULT_BURST_BITS } : {}),
    ...(egressBandwidth ? { egressBandwidth, egressBurst: read(EGRESS_BURST_ANNOTATION) ?? DEFAULT_BURST_BITS } : {}),
  };
}

/** The length of a packet-scheduler tick in µs, from /proc/net/psched (as netlink and tc read it). */
export function tickInUsec(psched = readFileSync('/proc/net/psched', 'utf8')): number {
  const [t2us, us2t, clockRes] = psched
    .trim()
    .split(/\s+/)
    .map((field) => parseInt(field, 16));
  if (!t2us || !us2t || !clockRes) throw new Error(`/proc/net/psched is not "t2us us2t clock_res …": "${psched.trim()}"`);
  const clockFactor = clockRes / 1_000_000 || 1;
  return (t2us / us2t) * clockFactor;
}

export interface TokenBucket {
  /** bytes/s */
  rate: number;
  /** scheduler ticks */
  buffer: number;
  /** bytes */
  limit: number;
}

/** qos.go GetTBFValues (no peak rate). */
export function tokenBucket(rateBits: number, burstBits: number, tick: number): TokenBucket {
  const rate = Math.floor(rateBits / 8);
  const burst = Math.floor(burstBits / 8);
  const timeToBurstUsec = Math.min(Math.floor((burst * 1_000_000) / rate), U32_MAX);
  const buffer = Math.min(Math.floor(timeToBurstUsec * tick), U32_MAX);
  const limit = Math.min(Math.floor((rate * LATENCY_MS * 1000) / 1_000_000 + buffer), U32_MAX);
  return { rate, buffer, limit };
}

/** The `tc … tbf` arguments that program the bucket: tc turns the burst in bytes back into the buffer in ticks. */
export function tbfArgs(bucket: TokenBucket, tick: number): string {
  const burstBytes = Math.floor(((bucket.buffer / tick) * bucket.rate) / 1_000_000);
  return `tbf rate ${bucket.rate * 8}bit burst ${burstBytes}b limit ${bucket.limit}b`;
}

export interface QosPlan {
  /** `ip -batch` lines in the node. */
  links: string[];
  /** `tc -batch` lines in the node. */
  tc: string[];
}

/** What Felix programs on the pod's node for its QoS controls; empty for a pod that asks for none. */
export function qosPlan(state: Pick<LabState, 'faults' | 'mtu'>, pod: Pick<LabPod, 'hostInterface' | 'annotations'>): QosPlan {
  const cali = pod.hostInterface;
  if (!cali || state.faults.includes(QOS_IGNORED_FAULT)) return { links: [], tc: [] };
  let controls = qosControlsOf(pod.annotations);
  // The fault shapes with a small bucket (1 Mbit): with the default 4 Gi bits, a new bucket's burst
  // would carry a one-second baseline above 100 Mbit/s and hide it.
  if (state.faults.includes(QOS_EVERY_POD_FAULT) && controls.ingressBandwidth === undefined)
    controls = { ...controls, ingressBandwidth: 10_000_000, ingressBurst: 1_000_000 };
  const tick = tickInUsec();
  const bits = (rate: number) => (state.faults.includes(QOS_RATE_IN_BYTES_FAULT) ? rate * 8 : rate);
  const plan: QosPlan = { links: [], tc: [] };
  if (controls.ingressBandwidth !== undefined) {
    const bucket = tokenBucket(bits(controls.ingressBandwidth), controls.ingressBurst ?? DEFAULT_BURST_BITS, tick);
    plan.tc.push(`qdisc replace dev ${cali} root handle 1: ${tbfArgs(bucket, tick)}`);
  }
  if (controls.egressBandwidth !== undefined) {
    const ifb = ifbDeviceName(cali);
    const bucket = tokenBucket(bits(controls.egressBandwidth), controls.egressBurst ?? DEFAULT_BURST_BITS, tick);
    // The cali interface has the pool's MTU (the CNI plugin set it), and the IFB takes it.
    plan.links.push(`link add ${ifb} mtu ${state.mtu} type ifb`, `link set ${ifb} up`);
    if (!state.faults.includes(QOS_NO_REDIRECT_FAULT))
      plan.tc.push(
        `qdisc replace dev ${cali} handle ffff: ingress`,
        `filter add dev ${cali} parent ffff: protocol all prio 1 u32 match u32 0 0 classid 1:1 action mirred egress redirect dev ${ifb}`,
      );
    plan.tc.push(`qdisc replace dev ${ifb} root handle 1: ${tbfArgs(bucket, tick)}`);
  }
  return plan;
}

async function runTcBatch(netns: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await runChecked(['tc', '-n', netns, '-batch', '-'], { where: netns, input: `${lines.join('\n')}\n` });
}

/** Felix on each pod's node, once its WorkloadEndpoint is there: the QoS the pod's annotations ask for. */
export async function applyQos(state: LabState, pods: LabPod[]): Promise<void> {
  await Promise.all(
    pods
      .filter((pod) => !pod.hostNetwork)
      .map(async (pod) => {
        const plan = qosPlan(state, pod);
        const netns = findNode(state, pod.node).netns;
        // CreateIfb takes an IFB that exists already (EEXIST) as it is.
        const ifb = plan.links[0]?.split(' ')[2];
        const exists = ifb !== undefined && (await run(['ip', '-n', netns, 'link', 'show', 'dev', ifb], { where: netns })).exitCode === 0;
        await runBatch({ netns, lines: exists ? plan.links.slice(1) : plan.links });
        await runTcBatch(netns, plan.tc);
      }),
  );
}

/**
 * Felix when the WorkloadEndpoint goes: the IFB of its interface is deleted (the qdiscs on the
 * cali interface go with the interface itself). A pod without one has nothing to remove.
 */
export async function removeQos(state: LabState, pod: LabPod): Promise<void> {
  if (!pod.hostInterface || state.faults.includes(QOS_IFB_LEFT_BEHIND_FAULT)) return;
  if (qosPlan(state, pod).links.length === 0) return;
  await runBatch({ netns: findNode(state, pod.node).netns, lines: [`link del ${ifbDeviceName(pod.hostInterface)}`] });
}
