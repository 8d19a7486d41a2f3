/**
 * The runbook for a failed QoS claim (lesson 12): the qdiscs on every node with their counters,
 * the ingress filters of each pod's cali interface, and the IFB devices, as a learner would type
 * them (`tc -s qdisc show`, `tc filter show dev <cali> ingress`, `ip -br link show type ifb`).
 * The analysis is a pure function of what tc printed (in JSON) and of the pods' annotations.
 */
import type { ExecResult, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { caliInterfaceName } from '../net/calico.ts';
import { parseQuantity } from '../net/quantity.ts';
import { parseTcFilters, parseTcQdiscs, type Filter, type Qdisc } from '../parse/tc.ts';
import { nodeTarget } from '../subjects.ts';

export const QOS_CLAIMS = /^L12-/;

const INGRESS = 'qos.projectcalico.org/ingressBandwidth';
const EGRESS = 'qos.projectcalico.org/egressBandwidth';

export interface QosPodEvidence {
  pod: string;
  cali: string;
  annotations: Record<string, string>;
  qdiscs: Qdisc[];
  filters: Filter[];
  /** The qdiscs of the device its filter redirects to, if any. */
  ifbQdiscs: Qdisc[] | undefined;
}

function bandwidth(text: string): number | undefined {
  try {
    return parseQuantity(text, 'bandwidth');
  } catch {
    return undefined;
  }
}

const rate = (qdisc: Qdisc | undefined) => (qdisc?.rate === undefined ? undefined : qdisc.rate * 8);

/** The causes the evidence points to, pod by pod. */
export function qosCauses(pods: QosPodEvidence[]): string[] {
  const causes: string[] = [];
  for (const pod of pods) {
    const tbf = pod.qdiscs.find((qdisc) => qdisc.root && qdisc.kind === 'tbf');
    const ingress = pod.annotations[INGRESS];
    const egress = pod.annotations[EGRESS];
    const redirect = pod.filters.flatMap((filter) => filter.mirred).find((mirred) => mirred.action === 'redirect');
    if (ingress === undefined && egress === undefined) {
      if (tbf || redirect)
        causes.push(
          `${pod.pod} has no QoS annotation, yet ${pod.cali} is shaped (${tbf ? `tbf at ${rate(tbf)} bit/s` : `redirect to ${redirect?.toDev}`})`,
        );
      continue;
    }
    if (ingress !== undefined) {
      const wanted = bandwidth(ingress);
      if (!tbf) causes.push(`${pod.pod} asks for ingressBandwidth ${ingress}, but ${pod.cali} has no root tbf: Felix did not program it`);
      else if (wanted !== undefined && rate(tbf) !== wanted)
        causes.push(`${pod.pod}: the tbf on ${pod.cali} runs at ${rate(tbf)} bit/s, the annotation asks for ${ingress} (${wanted} bit/s)`);
    }
    if (egress !== undefined) {
      const wanted = bandwidth(egress);
      const ifbTbf = pod.ifbQdiscs?.find((qdisc) => qdisc.root && qdisc.kind === 'tbf');
      if (!pod.qdiscs.some((qdisc) => qdisc.kind === 'ingress'))
        causes.push(`${pod.pod} asks for egressBandwidth ${egress}, but ${pod.cali} has no ingress qdisc: nothing reaches a bwcali device`);
      else if (!redirect) causes.push(`${pod.pod}: ${pod.cali}'s ingress qdisc has no mirred redirect to a bwcali device`);
      else if (!ifbTbf) causes.push(`${pod.pod}: ${redirect.toDev} has no root tbf`);
      else if (wanted !== undefined && rate(ifbTbf) !== wanted)
        causes.push(
          `${pod.pod}: the tbf on ${redirect.toDev} runs at ${rate(ifbTbf)} bit/s, the annotation asks for ${egress} (${wanted} bit/s)`,
        );
    }
  }
  return causes;
}

/** Gathers the qdiscs and filters of every pod of the suite's namespace, and names what looks wrong. */
export async function diagnoseQos(cluster: Cluster): Promise<{ text: string; evidence: ExecResult[] }> {
  const pods = (await cluster.pods({ namespace: cluster.workloadNamespace })).filter((pod) => !pod.hostNetwork && pod.ip);
  const evidence: ExecResult[] = [];
  const nodes = [...new Set(pods.map((pod) => pod.node))];
  for (const node of nodes) {
    for (const argv of [
      ['tc', '-s', 'qdisc', 'show'],
      ['ip', '-br', 'link', 'show', 'type', 'ifb'],
    ])
      evidence.push(await cluster.exec(nodeTarget(node), argv, { timeoutMs: 10_000 }));
  }
  const seen: QosPodEvidence[] = [];
  for (const pod of pods) seen.push(await podEvidence(cluster, pod, evidence));
  const causes = qosCauses(seen);
  return {
    text: [
      'QOS: the qdiscs, filters and IFB devices of the pods (the outputs are attached)',
      ...(causes.length
        ? ['likely cause:', ...causes.map((cause) => `  → ${cause}`)]
        : ['  the qdiscs match the annotations; read the iperf3 report and the counters']),
    ].join('\n'),
    evidence,
  };
}

async function podEvidence(cluster: Cluster, pod: PodInfo, evidence: ExecResult[]): Promise<QosPodEvidence> {
  const cali = caliInterfaceName(pod.namespace, pod.name);
  const node = nodeTarget(pod.node);
  const read = async <T>(argv: string[], parse: (text: string) => T, empty: T): Promise<T> => {
    const result = await cluster.exec(node, argv, { timeoutMs: 10_000 });
    evidence.push(result);
    try {
      return result.exitCode === 0 ? parse(result.stdout) : empty;
    } catch {
      return empty;
    }
  };
  const qdiscs = await read(['tc', '-j', '-s', 'qdisc', 'show', 'dev', cali], parseTcQdiscs, []);
  const filters = await read(['tc', '-j', 'filter', 'show', 'dev', cali, 'ingress'], parseTcFilters, []);
  const target = filters.flatMap((filter) => filter.mirred)[0]?.toDev;
  const ifbQdiscs = target ? await read(['tc', '-j', '-s', 'qdisc', 'show', 'dev', target], parseTcQdiscs, []) : undefined;
  return { pod: pod.name, cali, annotations: pod.annotations, qdiscs, filters, ifbQdiscs };
}
