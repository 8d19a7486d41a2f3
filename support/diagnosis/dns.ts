/**
 * The runbook for a failed DNS claim (lessons 05 and 11), after the order the course's lesson 05
 * checks things in: the pod's resolv.conf, the kube-dns Service and its endpoints, an answer
 * through the ClusterIP, then each CoreDNS pod asked directly (bypassing kube-proxy), and the
 * node's upstream for a name outside the cluster. Every DNS answer is attached as evidence;
 * the causes are a pure function of what was gathered.
 */
import type { EndpointSliceInfo, ExecResult, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { lookup } from '../probes/dns.ts';
import { addressesOf, type DigResult } from '../parse/dig.ts';
import { parseResolvConf, type ResolvConf } from '../parse/resolv-conf.ts';
import { nodeTarget, nodeToolsTarget, podTarget } from '../subjects.ts';

export const DNS_CLAIMS = /^(L05-|L11-(0[4-9]|1[0-4]|18))/;

/** A name every cluster answers, and one outside it that the lab's upstream knows. */
const PROBE_NAME = 'kubernetes.default.svc.cluster.local';
const OUTSIDE_NAME = 'www.example.org';

export const DNS_LOOKS = [
  "the client pod's /etc/resolv.conf (nameserver, search list, ndots)",
  'the kube-dns Service and the ready endpoints of its EndpointSlice',
  `dig ${PROBE_NAME} through the kube-dns ClusterIP, from the client pod`,
  `dig @<each CoreDNS pod IP> ${PROBE_NAME}: the servers themselves, without kube-proxy`,
  `dig ${OUTSIDE_NAME} from the client pod and from its node's upstream resolver`,
];

export interface DnsEvidence {
  pod: PodInfo | undefined;
  resolv: ResolvConf | undefined;
  dnsServiceIP: string;
  slices: EndpointSliceInfo[];
  viaService: DigResult | undefined;
  direct: { ip: string; answer: DigResult | undefined }[];
  outsideFromPod: DigResult | undefined;
  outsideFromUpstream: DigResult | undefined;
  upstream: string | undefined;
}

const answered = (result: DigResult | undefined) =>
  result?.answered === true && result.status === 'NOERROR' && addressesOf(result).length > 0;

export function dnsCauses(evidence: DnsEvidence): string[] {
  const causes: string[] = [];
  const { resolv, pod } = evidence;
  if (resolv && pod) {
    if (resolv.nameservers[0] !== evidence.dnsServiceIP)
      causes.push(
        `pod ${pod.name} asks ${resolv.nameservers.join(', ') || 'no nameserver'}, not the kube-dns ClusterIP ${evidence.dnsServiceIP}`,
      );
    const wanted = [`${pod.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
    if (!wanted.every((domain, index) => resolv.search[index] === domain))
      causes.push(
        `pod ${pod.name}'s search list is "${resolv.search.join(' ')}", not "${wanted.join(' ')} …": short names will not find Services`,
      );
  }
  const ready = evidence.slices.flatMap((slice) =>
    slice.endpoints.filter((endpoint) => endpoint.ready).flatMap((endpoint) => endpoint.addresses),
  );
  if (ready.length === 0)
    causes.push('kube-dns has no ready endpoint: the CoreDNS pods are not Ready (crashed, or failing their readiness probe)');
  const silent = evidence.direct.filter((each) => !answered(each.answer));
  for (const each of silent)
    causes.push(
      `CoreDNS at ${each.ip} does not answer ${PROBE_NAME} when asked directly (${each.answer?.answered ? `status ${each.answer.status}` : 'no answer'})`,
    );
  if (!answered(evidence.viaService) && evidence.direct.length > 0 && silent.length === 0)
    causes.push(
      `the CoreDNS pods answer directly but not through ${evidence.dnsServiceIP}: kube-proxy's DNAT for kube-dns is missing or wrong on the client's node`,
    );
  const ttl = evidence.viaService?.answers[0]?.ttl;
  if (ttl !== undefined && ttl > 30) causes.push(`cluster answers carry TTL ${ttl}: the Corefile's kubernetes block does not say ttl 30`);
  if (answered(evidence.outsideFromUpstream) && !answered(evidence.outsideFromPod) && answered(evidence.viaService)) {
    causes.push(
      `the node's upstream ${evidence.upstream} answers ${OUTSIDE_NAME} but the cluster DNS does not (${evidence.outsideFromPod?.status ?? 'no answer'}): CoreDNS's forward to the upstream is broken`,
    );
  }
  return causes;
}

/** A probe's value, or undefined where it could not run; its evidence is kept for the report. */
async function quietly<T>(task: Promise<{ value: T; evidence: ExecResult[] }>): Promise<{ value: T | undefined; evidence: ExecResult[] }> {
  try {
    return await task;
  } catch {
    return { value: undefined, evidence: [] };
  }
}

export async function diagnoseDns(cluster: Cluster, pod: PodInfo | undefined): Promise<{ text: string; evidence: ExecResult[] }> {
  const evidence: ExecResult[] = [];
  const [dnsServiceIP, slices, systemPods] = await Promise.all([
    cluster.dnsServiceIP(),
    cluster.endpointSlices({ namespace: 'kube-system', service: 'kube-dns' }).catch(() => []),
    cluster.pods({ namespace: 'kube-system' }).catch(() => []),
  ]);
  const coreDns = systemPods.filter((candidate) => candidate.labels['k8s-app'] === 'kube-dns' && candidate.ip);
  let resolv: ResolvConf | undefined;
  let upstream: string | undefined;
  let viaService: DigResult | undefined;
  let outsideFromPod: DigResult | undefined;
  let outsideFromUpstream: DigResult | undefined;
  const direct: DnsEvidence['direct'] = [];
  if (pod) {
    const target = podTarget(pod);
    // The looks are independent and each may wait out dig's timeout when DNS is broken: they run
    // side by side, and their evidence is filed in the runbook's order.
    const [conf, service, servers, outside, nodeConf] = await Promise.all([
      cluster.exec(target, ['cat', '/etc/resolv.conf'], { timeoutMs: 5_000 }).catch(() => undefined),
      quietly(lookup(cluster, target, PROBE_NAME)),
      Promise.all(coreDns.map((server) => quietly(lookup(cluster, target, PROBE_NAME, { server: server.ip as string })))),
      quietly(lookup(cluster, target, OUTSIDE_NAME)),
      cluster.exec(nodeTarget(pod.node), ['cat', '/etc/resolv.conf'], { timeoutMs: 5_000 }).catch(() => undefined),
    ]);
    if (conf) {
      evidence.push(conf);
      resolv = conf.exitCode === 0 ? parseResolvConf(conf.stdout) : undefined;
    }
    viaService = service.value;
    evidence.push(...service.evidence);
    servers.forEach((answer, index) => {
      direct.push({ ip: coreDns[index]?.ip as string, answer: answer.value });
      evidence.push(...answer.evidence);
    });
    outsideFromPod = outside.value;
    evidence.push(...outside.evidence);
    if (nodeConf?.exitCode === 0) {
      evidence.push(nodeConf);
      upstream = parseResolvConf(nodeConf.stdout).nameservers[0];
      if (upstream) {
        const fromUpstream = await quietly(lookup(cluster, nodeToolsTarget(pod.node), OUTSIDE_NAME, { server: upstream }));
        outsideFromUpstream = fromUpstream.value;
        evidence.push(...fromUpstream.evidence);
      }
    }
  }
  const causes = dnsCauses({ pod, resolv, dnsServiceIP, slices, viaService, direct, outsideFromPod, outsideFromUpstream, upstream });
  const text = [
    'RUNBOOK: A pod does not get the DNS answer it should',
    pod ? `client: ${pod.name} (${pod.ip}) on ${pod.node}` : undefined,
    'looked at (the outputs are attached):',
    ...DNS_LOOKS.map((item) => `  - ${item}`),
    causes.length ? 'likely cause:' : 'the evidence does not point to one cause; read the attached answers',
    ...causes.map((cause) => `  → ${cause}`),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
  return { text, evidence };
}
