/**
 * Claims about the cluster DNS (lessons 05 and 11): the kube-dns Service and its endpoints, and
 * what `dig` in a pod gets back. Expected values come from the API (Services, pods), never
 * from the DNS under test.
 *
 * In names, `<pod namespace>` stands for the asking pod's namespace and `<service namespace>`
 * for the namespace of the suite's workloads (`default` on the lab, as in the course).
 */
import { EnvironmentError, type PodInfo, type ServiceInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { nthAddress, parseCidr } from '../net/cidr.ts';
import { KUBE_SERVICES } from '../net/kube-proxy.ts';
import { captureDuring } from '../probes/capture.ts';
import { lookup, type LookupOptions } from '../probes/dns.ts';
import { dnsQueriesOf, dnsResponsesOf } from '../parse/dns-capture.ts';
import { addressesOf, parseSrvData, type DigResult } from '../parse/dig.ts';
import { resolvConf } from '../probes/resolv.ts';
import type { Observation } from '../probes/observation.ts';
import { conntrackTo, natRules } from '../probes/services.ts';
import { describePod, nodeTarget, nodeToolsTarget, podTarget } from '../subjects.ts';

const DNS_NAMESPACE = 'kube-system';
const DNS_SERVICE = 'kube-dns';
const DNS_POD_LABEL = ['k8s-app', 'kube-dns'] as const;

export function expandName(cluster: Cluster, pod: PodInfo | undefined, text: string): string {
  return text
    .replaceAll('<service namespace>', cluster.workloadNamespace)
    .replaceAll('<pod namespace>', pod?.namespace ?? cluster.workloadNamespace);
}

/** A Service of the suite's namespace; kubeadm's own (kubernetes, kube-dns) where they live. */
export async function serviceNamed(cluster: Cluster, name: string): Promise<ServiceInfo> {
  const namespace = name === DNS_SERVICE ? DNS_NAMESPACE : name === 'kubernetes' ? 'default' : cluster.workloadNamespace;
  const service = (await cluster.services({ namespace })).find((candidate) => candidate.name === name);
  if (!service)
    throw new EnvironmentError(
      `no Service ${namespace}/${name} exists`,
      'check that the lesson’s workloads are deployed (fixtures/lessons/)',
    );
  return service;
}

const isReady = (pod: PodInfo) => pod.phase === 'Running' && pod.containers.every((container) => container.ready);

/** The ready pods a Service's selector picks, as the API lists them. */
export async function readyPodsOf(cluster: Cluster, service: ServiceInfo): Promise<PodInfo[]> {
  const selector = service.selector ?? {};
  const pods = await cluster.pods({ namespace: service.namespace });
  return pods.filter((pod) => Object.entries(selector).every(([key, value]) => pod.labels[key] === value) && isReady(pod) && pod.ip);
}

function shown(result: DigResult): string {
  if (!result.answered) return `no answer (${result.errors.join('; ') || 'dig reached no server'})`;
  const records = result.answers.map((record) => `${record.name} ${record.ttl} ${record.type} ${record.data}`);
  return `status ${result.status}, question ${result.question?.name ?? '?'}, ${records.length ? records.join(' | ') : 'no answer records'}`;
}

const digWhat = (name: string, options: LookupOptions) =>
  `dig ${options.search ? '+search ' : ''}${options.type && options.type !== 'A' ? `${options.type} ` : ''}${name}`;

/** L05-01: kube-dns is a ClusterIP Service at the tenth address of the Service CIDR, with its three named ports. */
export async function dnsServiceShape(cluster: Cluster, ports: { name: string; port: number; protocol: string }[]): Promise<Verdict> {
  const [service, cidr] = await Promise.all([serviceNamed(cluster, DNS_SERVICE), cluster.serviceCIDR()]);
  const tenth = nthAddress(parseCidr(cidr), 10);
  const seenPorts = service.ports.map((port) => `${port.name} ${port.port}/${port.protocol}`);
  const wantedPorts = ports.map((port) => `${port.name} ${port.port}/${port.protocol}`);
  return verdict(
    service.type === 'ClusterIP' && service.clusterIP === tenth && sameSet(seenPorts, wantedPorts),
    `Service ${DNS_NAMESPACE}/${DNS_SERVICE} to be of type ClusterIP at ${tenth} (the tenth address of ${cidr}) with ports ${list(wantedPorts)}`,
    `type ${service.type}, clusterIP ${service.clusterIP}, ports ${list(seenPorts)}`,
    [],
    [listing('service-kube-dns', service)],
  );
}

/** L05-02: kube-dns's ready endpoints are exactly the Ready CoreDNS pods, none not ready, the same three ports. */
export async function dnsEndpointsAreCoreDnsPods(cluster: Cluster): Promise<Verdict> {
  const [service, slices, pods] = await Promise.all([
    serviceNamed(cluster, DNS_SERVICE),
    cluster.endpointSlices({ namespace: DNS_NAMESPACE, service: DNS_SERVICE }),
    cluster.pods({ namespace: DNS_NAMESPACE }),
  ]);
  const dnsPods = pods.filter((pod) => pod.labels[DNS_POD_LABEL[0]] === DNS_POD_LABEL[1]);
  const readyPodIPs = dnsPods.filter(isReady).map((pod) => pod.ip as string);
  const endpoints = slices.flatMap((slice) => slice.endpoints);
  const ready = endpoints.filter((endpoint) => endpoint.ready).flatMap((endpoint) => endpoint.addresses);
  const notReady = endpoints.filter((endpoint) => !endpoint.ready).flatMap((endpoint) => endpoint.addresses);
  const slicePorts = [...new Set(slices.flatMap((slice) => slice.ports.map((port) => `${port.name} ${port.port}/${port.protocol}`)))];
  const servicePorts = service.ports.map((port) => `${port.name} ${port.port}/${port.protocol}`);
  return verdict(
    readyPodIPs.length > 0 && sameSet(ready, readyPodIPs) && notReady.length === 0 && sameSet(slicePorts, servicePorts),
    `the ready endpoints of ${DNS_NAMESPACE}/${DNS_SERVICE} to be exactly the Ready pods labelled k8s-app=kube-dns (${list(readyPodIPs)}), none not ready, with ports ${list(servicePorts)}`,
    `ready ${list(ready)}; not ready ${list(notReady)}; ports ${list(slicePorts)}`,
    [],
    [listing('endpointslices-kube-dns', slices), listing('pods-k8s-app-kube-dns', dnsPods)],
  );
}

async function dig(cluster: Cluster, pod: PodInfo, name: string, options: LookupOptions): Promise<Observation<DigResult>> {
  return lookup(cluster, podTarget(pod), expandName(cluster, pod, name), options);
}

/** L05-08, L05-11, L11-04: exactly one A record, the Service's ClusterIP, TTL at most `maxTtl`; the question as expected. */
export async function lookupGetsClusterIP(
  cluster: Cluster,
  pod: PodInfo,
  name: string,
  options: LookupOptions,
  question: string | undefined,
  serviceName: string,
  maxTtl: number,
): Promise<Verdict> {
  const [seen, service] = await Promise.all([dig(cluster, pod, name, options), serviceNamed(cluster, serviceName)]);
  const result = seen.value;
  const wantedQuestion = question && expandName(cluster, pod, question);
  const ok =
    result.status === 'NOERROR' &&
    result.answers.length === 1 &&
    addressesOf(result)[0] === service.clusterIP &&
    result.answers.every((record) => record.ttl <= maxTtl) &&
    (!wantedQuestion || result.question?.name === wantedQuestion);
  return verdict(
    ok,
    `\`${digWhat(expandName(cluster, pod, name), options)}\` in ${describePod(pod)} to ${wantedQuestion ? `ask for ${wantedQuestion} and ` : ''}get exactly one A record, ${service.clusterIP} (the clusterIP of Service ${service.namespace}/${service.name}), with TTL ≤ ${maxTtl}`,
    shown(result),
    seen.evidence,
  );
}

/** L05-07, L05-10: an answer without any A record (NXDOMAIN or SERVFAIL), optionally for the question given. */
export async function lookupGetsNoAddress(
  cluster: Cluster,
  pod: PodInfo,
  name: string,
  options: LookupOptions,
  question?: string,
): Promise<Verdict> {
  const seen = await dig(cluster, pod, name, options);
  const result = seen.value;
  const wantedQuestion = question && expandName(cluster, pod, question);
  return verdict(
    result.answered &&
      addressesOf(result).length === 0 &&
      ['NXDOMAIN', 'SERVFAIL'].includes(result.status ?? '') &&
      (!wantedQuestion || result.question?.name === wantedQuestion),
    `\`${digWhat(expandName(cluster, pod, name), options)}\` in ${describePod(pod)} to be answered${wantedQuestion ? ` for ${wantedQuestion}` : ''} with no A record (NXDOMAIN or SERVFAIL)`,
    shown(result),
    seen.evidence,
  );
}

/** L05-10, L11-09: the cluster DNS says the name does not exist. */
export async function lookupIsNxdomain(cluster: Cluster, pod: PodInfo, name: string): Promise<Verdict> {
  const seen = await dig(cluster, pod, name, {});
  return verdict(
    seen.value.status === 'NXDOMAIN' && seen.value.answers.length === 0,
    `\`dig ${expandName(cluster, pod, name)}\` in ${describePod(pod)} to be NXDOMAIN`,
    shown(seen.value),
    seen.evidence,
  );
}

/** L11-09: a Deployment pod's own name under a headless Service does not exist. */
export async function deploymentPodNameIsNxdomain(cluster: Cluster, pod: PodInfo, serviceName: string): Promise<Verdict> {
  const service = await serviceNamed(cluster, serviceName);
  const [member] = await readyPodsOf(cluster, service);
  if (!member) throw new EnvironmentError(`Service ${service.namespace}/${service.name} selects no ready pod`);
  return lookupIsNxdomain(cluster, pod, `${member.name}.${service.name}.${service.namespace}.svc.cluster.local`);
}

/** L05-13: a name outside the cluster gets the A records the node's upstream resolver gives. */
export async function lookupMatchesUpstream(cluster: Cluster, pod: PodInfo, name: string): Promise<Verdict> {
  const nodeConf = await resolvConf(cluster, nodeTarget(pod.node));
  const upstream = nodeConf.value.nameservers[0];
  if (!upstream) throw new EnvironmentError(`node ${pod.node}'s /etc/resolv.conf names no nameserver`);
  const [fromUpstream, fromPod] = await Promise.all([
    // kindest/node has no dig: ask from the node's network with the tools image (kind's DNAT for
    // the node's nameserver is in that network's OUTPUT chain, so the answer is the node's).
    lookup(cluster, nodeToolsTarget(pod.node), name, { server: upstream }),
    dig(cluster, pod, name, {}),
  ]);
  const want = addressesOf(fromUpstream.value);
  const got = addressesOf(fromPod.value);
  return verdict(
    want.length > 0 && sameSet(want, got),
    `\`dig ${name}\` in ${describePod(pod)} to get the A records the node's upstream resolver ${upstream} gives (${list(want)})`,
    `${shown(fromPod.value)}; the upstream: ${shown(fromUpstream.value)}`,
    [...nodeConf.evidence, ...fromUpstream.evidence, ...fromPod.evidence],
  );
}

/** L05-14: `<a>-<b>-<c>-<d>.<namespace>.pod.cluster.local` resolves to a.b.c.d. */
export async function podRecordResolves(cluster: Cluster, pod: PodInfo, target: PodInfo): Promise<Verdict> {
  const name = `${(target.ip as string).replaceAll('.', '-')}.${target.namespace}.pod.cluster.local`;
  const seen = await dig(cluster, pod, name, {});
  return verdict(
    sameSet(addressesOf(seen.value), [target.ip as string]) && seen.value.answers.length === 1,
    `\`dig ${name}\` in ${describePod(pod)} to get exactly ${target.ip}`,
    shown(seen.value),
    seen.evidence,
  );
}

/** L11-05, L11-06: one A record per ready pod of the headless Service, and no ClusterIP among them. */
export async function lookupGetsReadyPods(cluster: Cluster, pod: PodInfo, name: string, serviceName: string): Promise<Verdict> {
  const service = await serviceNamed(cluster, serviceName);
  const [seen, members, services] = await Promise.all([
    dig(cluster, pod, name, { search: true }),
    readyPodsOf(cluster, service),
    cluster.services(),
  ]);
  const got = addressesOf(seen.value);
  const want = members.map((member) => member.ip as string);
  const clusterIPs = services.map((each) => each.clusterIP).filter((ip) => ip !== 'None');
  const vips = got.filter((ip) => clusterIPs.includes(ip));
  return verdict(
    want.length > 0 && got.length === want.length && sameSet(got, want) && vips.length === 0,
    `\`dig +search ${name}\` in ${describePod(pod)} to get one A record per ready pod of Service ${service.namespace}/${service.name} (${list(want)}) and no ClusterIP`,
    `${shown(seen.value)}${vips.length ? `; ClusterIPs among them: ${list(vips)}` : ''}`,
    seen.evidence,
  );
}

/** L11-08, L11-18: exactly one A record, the IP of the named pod (as the API reports it). */
export async function lookupGetsPodIP(cluster: Cluster, pod: PodInfo, name: string, podName: string): Promise<Verdict> {
  const [seen, pods] = await Promise.all([
    dig(cluster, pod, name, { search: true }),
    cluster.pods({ namespace: cluster.workloadNamespace }),
  ]);
  const target = pods.find((candidate) => candidate.name === podName);
  if (!target?.ip) throw new EnvironmentError(`no pod ${cluster.workloadNamespace}/${podName} with an IP exists`);
  const got = addressesOf(seen.value);
  return verdict(
    got.length === 1 && got[0] === target.ip,
    `\`dig +search ${name}\` in ${describePod(pod)} to get exactly one A record, ${target.ip} (pod ${podName})`,
    shown(seen.value),
    seen.evidence,
  );
}

/** L11-10: one SRV record per pod of the StatefulSet, each with the port and the pod's own name as target. */
export async function srvPerStatefulSetPod(
  cluster: Cluster,
  pod: PodInfo,
  name: string,
  statefulSet: string,
  serviceName: string,
  port: number,
): Promise<Verdict> {
  const [seen, pods] = await Promise.all([
    dig(cluster, pod, name, { type: 'SRV' }),
    cluster.pods({ namespace: cluster.workloadNamespace }),
  ]);
  const members = pods.filter((candidate) => candidate.owner?.kind === 'StatefulSet' && candidate.owner.name === statefulSet);
  const want = members.map((member) => `${port} ${member.name}.${serviceName}.${cluster.workloadNamespace}.svc.cluster.local.`);
  const got = seen.value.answers
    .filter((record) => record.type === 'SRV')
    .map((record) => {
      const srv = parseSrvData(record.data);
      return `${srv.port} ${srv.target}`;
    });
  return verdict(
    want.length > 0 && got.length === want.length && sameSet(got, want),
    `\`dig SRV ${expandName(cluster, pod, name)}\` in ${describePod(pod)} to get one SRV record per pod of StatefulSet ${statefulSet}: ${list(want)}`,
    shown(seen.value),
    seen.evidence,
  );
}

/** L05-09 (the answer's side): dig's SERVER is the kube-dns ClusterIP on port 53, although a CoreDNS pod answered. */
export async function answerComesFromDnsService(cluster: Cluster, pod: PodInfo, name: string): Promise<Verdict> {
  const [seen, dnsIP] = await Promise.all([dig(cluster, pod, name, { search: true }), cluster.dnsServiceIP()]);
  const server = seen.value.server;
  return verdict(
    seen.value.answered && server?.address === dnsIP && server.port === 53,
    `\`dig +search ${name}\` in ${describePod(pod)} to be answered by ${dnsIP}#53 (the kube-dns ClusterIP)`,
    server ? `answered by ${server.address}#${server.port}` : shown(seen.value),
    seen.evidence,
  );
}

/**
 * The queries `dig +search <name>` sends for a name with fewer dots than ndots: one per entry of
 * the pod's own search list, in order, then the name itself. The scenario's rows name the
 * cluster's suffixes and the bare name; they must be the head of the pod's list. What follows
 * them there is the node's own search domains, which the kubelet appends after the cluster
 * ones (pkg/kubelet/network/dns/dns.go, generateSearchesForDNSClusterFirst) and kind passes
 * from the host unless networking.dnsSearch is set: a GitHub-hosted runner adds its
 * `…internal.cloudapp.net`. Those are expected too, answered with whatever the upstream says.
 * The suite reads the list rather than setting `dnsSearch: []` in its Kind configs, so the
 * cluster stays the one the course builds and the claim holds on any runner (T3-06).
 */
export function searchWalkExpected(
  name: string,
  podSearch: string[],
  rows: { query: string; rcode: string }[],
): { want: { query: string; rcode: string }[]; problem?: string } {
  const bare = rows.at(-1);
  const suffixes = rows
    .slice(0, -1)
    .map((row) => (row.query.startsWith(`${name}.`) ? row.query.slice(name.length + 1).replace(/\.$/, '') : row.query));
  const head = podSearch.slice(0, suffixes.length);
  if (!bare || suffixes.some((suffix, index) => head[index] !== suffix))
    return { want: rows, problem: `the pod's search list is ${list(podSearch)}, which does not begin with ${list(suffixes)}` };
  const fromNode = podSearch.slice(suffixes.length).map((domain) => ({ query: `${name}.${domain}.`, rcode: 'any' }));
  return { want: [...rows.slice(0, -1), ...fromNode, bare] };
}

/**
 * L05-12: a capture on the pod's eth0 during `dig +search <name>` shows the queries in the
 * order expected (`rcode` "any" for the last), each answered by the cluster DNS's ClusterIP,
 * with the node's own search domains, read from the pod's resolv.conf, before the bare name.
 */
export async function searchWalkSeen(
  cluster: Cluster,
  pod: PodInfo,
  name: string,
  expected: { query: string; rcode: string }[],
): Promise<Verdict> {
  const [dnsIP, conf] = await Promise.all([cluster.dnsServiceIP(), resolvConf(cluster, podTarget(pod))]);
  const seen = await captureDuring(cluster, podTarget(pod), ['udp', 'port', '53'], pod.name, () =>
    dig(cluster, pod, name, { search: true }),
  );
  const packets = seen.value.packets;
  const queries = dnsQueriesOf(packets);
  const responses = dnsResponsesOf(packets);
  const rows = expected.map((row) => ({ query: expandName(cluster, pod, row.query), rcode: row.rcode }));
  const { want, problem } = searchWalkExpected(name, conf.value.search, rows);
  const walk = queries.map((query) => {
    const response = responses.find((candidate) => candidate.id === query.id);
    return { query: query.name, to: query.to, rcode: response?.rcode ?? 'no answer', from: response?.from };
  });
  const ok =
    !problem &&
    walk.length === want.length &&
    want.every(
      (row, index) =>
        walk[index]?.query === row.query &&
        (row.rcode === 'any' || walk[index]?.rcode === row.rcode) &&
        walk[index]?.to === dnsIP &&
        walk[index]?.from === dnsIP,
    );
  return verdict(
    ok,
    `a capture on ${describePod(pod)} during \`dig +search ${name}\` to show, in order, ${list(want.map((row) => `${row.query} (${row.rcode === 'any' ? 'answered' : row.rcode})`))}, each sent to and answered by ${dnsIP}`,
    [
      problem,
      walk.length
        ? list(walk.map((step) => `${step.query} to ${step.to} → ${step.rcode}${step.from ? ` from ${step.from}` : ''}`))
        : 'no DNS query',
    ]
      .filter(Boolean)
      .join('; '),
    [...conf.evidence, ...seen.evidence],
  );
}

/**
 * L05-09 (the node's side): the client's node jumps from KUBE-SERVICES to the chains given for
 * kube-dns's ports, and after a lookup its conntrack holds the pod's query to the ClusterIP
 * port 53 with a kube-dns endpoint as the reply's source.
 */
export async function dnsQueryTranslatedOnNode(
  cluster: Cluster,
  pod: PodInfo,
  chains: { port: string; chain: string }[],
): Promise<Verdict> {
  const dnsIP = await cluster.dnsServiceIP();
  const query = await dig(cluster, pod, 'kubernetes.default.svc.cluster.local', {});
  const [rules, flows, slices] = await Promise.all([
    natRules(cluster, pod.node, KUBE_SERVICES),
    conntrackTo(cluster, pod.node, dnsIP, 'udp'),
    cluster.endpointSlices({ namespace: DNS_NAMESPACE, service: DNS_SERVICE }),
  ]);
  const endpoints = slices.flatMap((slice) => slice.endpoints.flatMap((endpoint) => endpoint.addresses));
  const missing = chains.filter(
    ({ port, chain }) =>
      !rules.value.rules.some(
        (rule) =>
          rule.destination === `${dnsIP}/32` &&
          rule.comment === `${DNS_NAMESPACE}/${DNS_SERVICE}:${port} cluster IP` &&
          rule.jump === chain,
      ),
  );
  const mine = flows.value.filter((entry) => entry.original.src === pod.ip && entry.original.dst === dnsIP && entry.original.dport === 53);
  const translated = mine.filter((entry) => endpoints.includes(entry.reply.src));
  return verdict(
    missing.length === 0 && translated.length > 0,
    `on node ${pod.node}, KUBE-SERVICES to send ${list(chains.map(({ port, chain }) => `${DNS_NAMESPACE}/${DNS_SERVICE}:${port} to ${chain}`))}, and conntrack to show ${describePod(pod)}'s query to ${dnsIP}:53 answered by a kube-dns endpoint (${list(endpoints)})`,
    `${missing.length ? `no jump for ${list(missing.map(({ port, chain }) => `${port} → ${chain}`))}; ` : ''}${mine.length ? `flows: ${list(mine.map((entry) => `${entry.original.dst}:${entry.original.dport} → reply from ${entry.reply.src}`))}` : `no flow from ${pod.ip} to ${dnsIP}:53`}`,
    [...query.evidence, ...rules.evidence, ...flows.evidence],
  );
}
