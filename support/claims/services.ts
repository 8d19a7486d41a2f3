/**
 * Claims of lesson 04: a ClusterIP Service, its EndpointSlice, and the rules kube-proxy writes
 * on every node (read from each node's kernel, never from the lab's model). The expected chain
 * names follow kube-proxy's naming rule (support/net/kube-proxy.ts), which is itself the claim.
 */
import { eventually } from '../eventually.ts';
import type { ExecResult, PodInfo, ServiceInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { cidrContains } from '../net/cidr.ts';
import {
  endpointChainName,
  KUBE_SERVICES,
  printedProbability,
  SEP_CHAIN_PREFIX,
  serviceChainName,
  servicePortName,
} from '../net/kube-proxy.ts';
import type { IptablesListing, IptablesRule } from '../parse/iptables.ts';
import { parseHttpResponse } from '../parse/http-response.ts';
import { conntrackTo, natRules, resolveHost } from '../probes/services.ts';
import { podTarget } from '../subjects.ts';
import { findService, selectedPods, type Replacement, type ServiceExchange } from './service-actions.ts';

const isReady = (pod: PodInfo) =>
  pod.phase === 'Running' && pod.containers.length > 0 && pod.containers.every((container) => container.ready);

/** L04-01 */
export async function replicasReadyOnWorkers(cluster: Cluster, workload: string, replicas: number): Promise<Verdict> {
  const [pods, nodes, pools] = await Promise.all([
    cluster.pods({ namespace: cluster.workloadNamespace, workload }),
    cluster.nodes(),
    cluster.ipPools(),
  ]);
  const role = (node: string) => nodes.find((candidate) => candidate.name === node)?.role ?? 'unknown';
  const problems = pods.flatMap((pod) => [
    ...(isReady(pod)
      ? []
      : [
          `${pod.name} is ${pod.phase}, ${pod.containers.filter((c) => c.ready).length}/${pod.containers.length} ready${containerNotes(pod)}`,
        ]),
    ...(pod.ip && pools.some((pool) => cidrContains(pool.cidr, pod.ip as string))
      ? []
      : [`${pod.name} has IP ${pod.ip ?? 'none'}, outside the pool`]),
    ...(role(pod.node) === 'worker' ? [] : [`${pod.name} runs on ${pod.node} (${role(pod.node)})`]),
  ]);
  return verdict(
    pods.length === replicas && problems.length === 0,
    `${replicas} ${workload} pods, each Running and Ready with an IP from the pool, on worker nodes`,
    `${pods.length} pod(s)${problems.length ? `: ${problems.join('; ')}` : `: ${pods.map((pod) => `${pod.name} ${pod.ip} on ${pod.node}`).join(', ')}`}`,
    [],
    [listing('pods', pods)],
  );
}

/** kubectl's STATUS and RESTARTS where they say more than Running: " (nginx CrashLoopBackOff, 3 restarts)". */
function containerNotes(pod: PodInfo): string {
  const notes = pod.containers
    .filter((container) => container.waiting || container.restartCount)
    .map((container) =>
      [container.name, container.waiting, container.restartCount ? `${container.restartCount} restart(s)` : undefined]
        .filter(Boolean)
        .join(' '),
    );
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** L04-02 */
export async function serviceIsClusterIP(
  cluster: Cluster,
  name: string,
  port: { name: string; port: number; protocol: string },
): Promise<Verdict> {
  const [service, cidr] = await Promise.all([findService(cluster, name), cluster.serviceCIDR()]);
  const ports = service.ports.map((p) => `${p.name ?? '(unnamed)'} ${p.port}/${p.protocol}`);
  const ok =
    service.type === 'ClusterIP' &&
    service.clusterIP !== 'None' &&
    cidrContains(cidr, service.clusterIP) &&
    service.externalIPs.length === 0 &&
    ports.length === 1 &&
    ports[0] === `${port.name} ${port.port}/${port.protocol}`;
  return verdict(
    ok,
    `Service ${name} of type ClusterIP, its ClusterIP inside the Service CIDR ${cidr}, no external IP, and exactly one port: ${port.name} ${port.port}/${port.protocol}`,
    `type ${service.type}, ClusterIP ${service.clusterIP}, external IPs ${list(service.externalIPs)}, ports ${list(ports)}`,
    [],
    [listing('service', service)],
  );
}

/** L04-03 */
export async function sliceListsReadyPods(
  cluster: Cluster,
  name: string,
  port: { name: string; port: number; protocol: string },
): Promise<Verdict> {
  const service = await findService(cluster, name);
  const [slices, pods] = await Promise.all([
    cluster.endpointSlices({ namespace: service.namespace, service: name }),
    selectedPods(cluster, service),
  ]);
  const readyIPs = pods
    .filter(isReady)
    .map((pod) => pod.ip as string)
    .sort();
  const sliceReady = slices
    .flatMap((slice) => slice.endpoints.filter((endpoint) => endpoint.ready).flatMap((endpoint) => endpoint.addresses))
    .sort();
  const wrongShape = slices.filter(
    (slice) =>
      slice.addressType !== 'IPv4' ||
      !slice.ports.some((p) => p.name === port.name && p.port === port.port && p.protocol === port.protocol),
  );
  const selector = Object.entries(service.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return verdict(
    slices.length > 0 && wrongShape.length === 0 && sameSet(readyIPs, sliceReady),
    `the EndpointSlice of ${name} to be IPv4 with port ${port.name} ${port.port}/${port.protocol}, its ready endpoints exactly the Ready pods matching ${selector}: ${list(readyIPs)}`,
    slices.length === 0
      ? 'no EndpointSlice labelled kubernetes.io/service-name=' + name
      : `${slices.map((slice) => `${slice.name} ${slice.addressType} ports ${list(slice.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`))}`).join('; ')}; ready endpoints ${list(sliceReady)}`,
    [],
    [listing('endpointslices', slices), listing('pods', pods)],
  );
}

/** L04-04 */
export async function connectedByName(cluster: Cluster, seen: ServiceExchange): Promise<Verdict> {
  const resolved = await resolveHost(cluster, podTarget(seen.client), seen.host);
  const exchange = seen.exchange?.value;
  const connected = exchange !== undefined && exchange.exitCode === 0 && exchange.reply.length > 0;
  return verdict(
    resolved.value.includes(seen.service.clusterIP) && connected,
    `"${seen.host}" to resolve to the ClusterIP ${seen.service.clusterIP} in pod ${seen.client.name}, and a TCP connection to ${seen.host}:${seen.port} to carry a reply`,
    `resolved to ${list(resolved.value)}; the connection ${connected ? `carried ${exchange?.reply.length} bytes` : `failed (nc exit ${exchange?.exitCode ?? '?'}, no reply)`}`,
    [...resolved.evidence, ...(seen.exchange?.evidence ?? [])],
  );
}

function replyHead(seen: ServiceExchange) {
  try {
    return parseHttpResponse(seen.exchange?.value.reply ?? '');
  } catch {
    return undefined;
  }
}

/** L04-05: the status line */
export function replyStatusLine(seen: ServiceExchange, statusLine: string): Verdict {
  const head = replyHead(seen);
  return verdict(
    head?.statusLine === statusLine,
    `the reply through ${seen.host}:${seen.port} to start with "${statusLine}"`,
    head ? `"${head.statusLine}"` : `no HTTP reply (${JSON.stringify((seen.exchange?.value.reply ?? '').slice(0, 60))})`,
    seen.exchange?.evidence ?? [],
  );
}

/** L04-05: a header */
export function replyHeaderStartsWith(seen: ServiceExchange, header: string, prefix: string): Verdict {
  const value = replyHead(seen)?.headers[header.toLowerCase()];
  return verdict(
    value !== undefined && value.startsWith(prefix),
    `the reply's ${header} header to start with "${prefix}"`,
    value === undefined ? `no ${header} header` : `"${value}"`,
    seen.exchange?.evidence ?? [],
  );
}

/**
 * L04-05 (which backend answered) and, with `fromClient`, L04-10 (it saw the client's own
 * address). Other scenarios may talk to the Service at the same time: only lines with the
 * request sent are counted, and with `fromClient` only those from the client's address.
 */
export function oneBackendLogged(seen: ServiceExchange, line: string, fromClient: boolean): Verdict {
  const sources = fromClient ? [seen.client.ip] : [seen.client.ip, ...seen.nodeIPs];
  const requests = (backend: ServiceExchange['backends'][number]) =>
    backend.newLines.filter((logged) => logged.request === line && sources.includes(logged.remoteAddr));
  const answered = seen.backends.filter((backend) => requests(backend).length > 0);
  const described = seen.backends
    .filter((backend) => backend.newLines.length > 0)
    .map(
      (backend) =>
        `${backend.pod.name} (${backend.pod.ip}) logged ${backend.newLines.map((logged) => `"${logged.request}" from ${logged.remoteAddr}`).join(', ')}`,
    );
  return verdict(
    answered.length === 1 && requests(answered[0] as ServiceExchange['backends'][number]).length === 1,
    `exactly one backend of ${seen.service.name} to log the request "${line}" of pod ${seen.client.name}${fromClient ? `, coming from ${seen.client.ip} itself (no SNAT)` : ''}`,
    described.length === 0 ? 'no backend logged it' : described.join('; '),
    seen.evidence.filter((result) => result.argv[0] === 'kubectl'),
  );
}

/** The backend that logged the client's request (after oneBackendLogged held). */
function answeringBackend(seen: ServiceExchange): PodInfo | undefined {
  const answered = seen.backends.filter((backend) => backend.fromClient > 0);
  return answered.length === 1 ? answered[0]?.pod : undefined;
}

/** L04-10: the client node's conntrack shows the ClusterIP in the original tuple and the backend in the reply. */
export async function conntrackShowsTranslation(cluster: Cluster, seen: ServiceExchange): Promise<Verdict> {
  const backend = answeringBackend(seen);
  const entries = await conntrackTo(cluster, seen.client.node, seen.service.clusterIP);
  const mine = entries.value.filter((entry) => entry.original.src === seen.client.ip && entry.original.dport === seen.port);
  const translated = mine.filter(
    (entry) => backend && entry.reply.src === backend.ip && entry.reply.sport === seen.port && entry.reply.dst === seen.client.ip,
  );
  return verdict(
    backend !== undefined && translated.length > 0,
    `conntrack on ${seen.client.node} to list a connection from ${seen.client.ip} to ${seen.service.clusterIP}:${seen.port} whose reply comes from the backend that answered${backend ? `, ${backend.ip}:${seen.port}` : ''}, to ${seen.client.ip}`,
    mine.length === 0
      ? 'no such connection'
      : mine.map((entry) => `reply from ${entry.reply.src}:${entry.reply.sport} to ${entry.reply.dst}:${entry.reply.dport}`).join('; '),
    entries.evidence,
  );
}

const sepDnatRules = (listing: IptablesListing, comment: string) =>
  listing.rules.filter((rule) => rule.chain.startsWith(SEP_CHAIN_PREFIX) && rule.jump === 'DNAT' && rule.comment === comment);
const packets = (rules: IptablesRule[]) => rules.reduce((sum, rule) => sum + (rule.packets ?? 0), 0);

/** L04-09: the client's node translated the connection; no other node did. */
export async function translatedOnClientNodeOnly(cluster: Cluster, seen: ServiceExchange, portName: string): Promise<Verdict> {
  const name = servicePortName(seen.service.namespace, seen.service.name, portName);
  const rises = (seen.counters ?? []).map(({ node, before, after }) => ({
    node,
    rise: packets(sepDnatRules(after, name)) - packets(sepDnatRules(before, name)),
  }));
  const own = rises.find((entry) => entry.node === seen.client.node)?.rise ?? 0;
  // Other scenarios may use the Service at the same time: another node is judged by its conntrack, which names the client.
  const others = rises.filter((entry) => entry.node !== seen.client.node).map((entry) => entry.node);
  const tracked = await Promise.all(others.map((node) => conntrackTo(cluster, node, seen.service.clusterIP)));
  const elsewhere = others.filter((_, index) => tracked[index]?.value.some((entry) => entry.original.src === seen.client.ip));
  return verdict(
    own > 0 && elsewhere.length === 0,
    `a DNAT rule of ${name} on ${seen.client.node} (the client's node) to count the connection, and no other node to translate it`,
    `DNAT packets counted: ${rises.map((entry) => `${entry.node} +${entry.rise}`).join(', ')}; other nodes tracking ${seen.client.ip} → ${seen.service.clusterIP}: ${list(elsewhere)}`,
    [...seen.evidence.filter((result) => result.argv[0] === 'iptables-save'), ...tracked.flatMap((observation) => observation.evidence)],
  );
}

/** L04-09: on the client node's eth0 the connection is addressed to the backend pod, never to the ClusterIP. */
export function captureShowsBackendNotClusterIP(seen: ServiceExchange): Verdict {
  const backend = answeringBackend(seen);
  const outgoing = (seen.capture ?? []).filter((packet) => packet.src === seen.client.ip);
  const toVip = outgoing.filter((packet) => packet.dst === seen.service.clusterIP);
  const toBackend = outgoing.filter((packet) => backend && packet.dst === backend.ip && packet.dstPort === seen.port);
  return verdict(
    backend !== undefined && backend.node !== seen.client.node && toBackend.length > 0 && toVip.length === 0,
    `the capture on ${seen.client.node}'s eth0 to show ${seen.client.ip}'s packets addressed to the backend on another node${backend ? ` (${backend.ip}:${seen.port}, on ${backend.node})` : ''}, none to the ClusterIP ${seen.service.clusterIP}`,
    `${outgoing.length} packet(s) from the client: ${toBackend.length} to the backend, ${toVip.length} to the ClusterIP${outgoing.length ? ` (destinations: ${list([...new Set(outgoing.map((p) => `${p.dst}:${p.dstPort}`))])})` : ''}`,
    seen.evidence.filter((result) => result.argv[0] === 'tcpdump'),
  );
}

/** L04-11 */
export function everyEndpointReceivedOne(seen: ServiceExchange): Verdict {
  // Counted whatever their source address: spreading is the claim here, not the absence of SNAT (L04-10).
  const ready = seen.backends.filter((backend) => backend.pod.ip);
  const starved = ready.filter((backend) => backend.newLines.length === 0);
  const tally = ready.map((backend) => `${backend.pod.name} ${backend.newLines.length}`);
  const total = seen.connections?.value;
  return verdict(
    ready.length > 0 && starved.length === 0 && (total?.failed ?? 1) === 0,
    `each of ${ready.length} backends of ${seen.service.name} to receive at least one of ${(total?.succeeded ?? 0) + (total?.failed ?? 0)} connections, every connection answered`,
    `${list(tally)}${total?.failed ? `; ${total.failed} connection(s) failed` : ''}`,
    seen.evidence,
  );
}

interface NodeTable {
  node: string;
  listing: IptablesListing;
  evidence: ExecResult[];
}

async function everyNodesNat(cluster: Cluster, chain?: string): Promise<NodeTable[]> {
  const nodes = await cluster.nodes();
  return Promise.all(
    nodes.map(async (node) => {
      const observation = await natRules(cluster, node.name, chain).catch((error: Error) => {
        // A node without the chain (kube-proxy absent there) prints an error: that is a finding about the node.
        if (/No chain|does not exist/i.test(error.message))
          return { value: { tables: [], chains: [], rules: [] }, evidence: [] as ExecResult[] };
        throw error;
      });
      return { node: node.name, listing: observation.value, evidence: observation.evidence };
    }),
  );
}

interface PortFacts {
  service: ServiceInfo;
  name: string;
  protocol: string;
  port: number;
  chain: string;
}

async function portFacts(cluster: Cluster, serviceName: string, portName: string): Promise<PortFacts> {
  const service = await findService(cluster, serviceName);
  const port = service.ports.find((candidate) => (candidate.name ?? '') === portName);
  if (!port)
    throw new Error(`Service ${serviceName} has no port named "${portName}" (ports: ${service.ports.map((p) => p.name).join(', ')})`);
  const name = servicePortName(service.namespace, service.name, port.name);
  const protocol = port.protocol.toLowerCase();
  return { service, name, protocol, port: port.port, chain: serviceChainName(name, protocol) };
}

/** L04-06 */
export async function servicesChainJumpsOnEveryNode(cluster: Cluster, serviceName: string, portName: string): Promise<Verdict> {
  const facts = await portFacts(cluster, serviceName, portName);
  const expected = `-A KUBE-SERVICES -d ${facts.service.clusterIP}/32 -p ${facts.protocol} -m comment --comment "${facts.name} cluster IP" -m ${facts.protocol} --dport ${facts.port} -j ${facts.chain}`;
  const tables = await everyNodesNat(cluster);
  const missing = tables.flatMap(({ node, listing }) => {
    const problems: string[] = [];
    if (!listing.rules.some((rule) => rule.text === expected)) problems.push(`${node} lacks the KUBE-SERVICES rule`);
    for (const hook of ['PREROUTING', 'OUTPUT'])
      if (!listing.rules.some((rule) => rule.chain === hook && rule.jump === KUBE_SERVICES))
        problems.push(`${node}'s ${hook} does not reach KUBE-SERVICES`);
    return problems;
  });
  const seenRules = tables.map(
    ({ node, listing }) =>
      `${node}: ${listing.rules.find((rule) => rule.chain === KUBE_SERVICES && rule.comment === `${facts.name} cluster IP`)?.text ?? 'no rule for the Service'}`,
  );
  return verdict(
    missing.length === 0,
    `on every node, PREROUTING and OUTPUT to reach KUBE-SERVICES, which holds ${expected}`,
    missing.length ? `${missing.join('; ')} (${seenRules.join(' | ')})` : seenRules.join(' | '),
    tables.flatMap((table) => table.evidence),
  );
}

async function readyEndpoints(cluster: Cluster, facts: PortFacts, portName: string): Promise<string[]> {
  const slices = await cluster.endpointSlices({ namespace: facts.service.namespace, service: facts.service.name });
  return slices
    .flatMap((slice) => {
      const port = slice.ports.find((candidate) => (candidate.name ?? '') === portName);
      return port?.port === undefined
        ? []
        : slice.endpoints.filter((endpoint) => endpoint.ready).flatMap((endpoint) => endpoint.addresses.map((ip) => `${ip}:${port.port}`));
    })
    .sort();
}

/** L04-07 */
export async function serviceChainOnEveryNode(cluster: Cluster, serviceName: string, portName: string): Promise<Verdict> {
  const facts = await portFacts(cluster, serviceName, portName);
  const [endpoints, pools, tables] = await Promise.all([
    readyEndpoints(cluster, facts, portName),
    cluster.ipPools(),
    everyNodesNat(cluster),
  ]);
  // kube-proxy's --cluster-cidr; in Kind it is the podSubnet, the course's one pool.
  const clusterCIDR = pools[0]?.cidr ?? '';
  const masq = `-A ${facts.chain} ! -s ${clusterCIDR} -d ${facts.service.clusterIP}/32 -p ${facts.protocol} -m comment --comment "${facts.name} cluster IP" -m ${facts.protocol} --dport ${facts.port} -j KUBE-MARK-MASQ`;
  const n = endpoints.length;
  const problems = tables.flatMap(({ node, listing }) => {
    const rules = listing.rules.filter((rule) => rule.chain === facts.chain);
    if (rules.length === 0) return [`${node} has no chain ${facts.chain}`];
    const found: string[] = [];
    if (rules[0]?.text !== masq) found.push(`${node} rule 1 is ${rules[0]?.text}`);
    const jumps = rules.slice(1);
    const targets = jumps.map((rule) => /-> (\S+)$/.exec(rule.comment ?? '')?.[1] ?? '?');
    if (!sameSet(targets, endpoints) || jumps.length !== n) found.push(`${node} jumps to ${list(targets)}`);
    jumps.forEach((rule, i) => {
      const endpoint = targets[i] as string;
      const want = i < n - 1 ? printedProbability(n - i) : undefined;
      if (rule.probability !== want)
        found.push(`${node} jump ${i + 1} (${endpoint}) has probability ${rule.probability ?? 'none'}, not ${want ?? 'none'}`);
      if (rule.jump !== endpointChainName(facts.name, facts.protocol, endpoint))
        found.push(`${node} jump ${i + 1} goes to ${rule.jump}, not ${endpointChainName(facts.name, facts.protocol, endpoint)}`);
    });
    return found;
  });
  return verdict(
    n > 0 && problems.length === 0,
    `on every node, ${facts.chain} to start with ${masq}, then one jump per ready endpoint (${list(endpoints)}) to its KUBE-SEP chain, jump i of ${n} with probability 1/(${n}-i) and the last with none`,
    problems.length ? problems.join('; ') : `as expected on ${tables.length} nodes`,
    tables.flatMap((table) => table.evidence),
  );
}

/** L04-08 */
export async function endpointChainsOnEveryNode(cluster: Cluster, serviceName: string, portName: string): Promise<Verdict> {
  const facts = await portFacts(cluster, serviceName, portName);
  const [endpoints, tables] = await Promise.all([readyEndpoints(cluster, facts, portName), everyNodesNat(cluster)]);
  const problems = tables.flatMap(({ node, listing }) =>
    endpoints.flatMap((endpoint) => {
      const chain = endpointChainName(facts.name, facts.protocol, endpoint);
      const ip = endpoint.slice(0, endpoint.lastIndexOf(':'));
      const want = [
        `-A ${chain} -s ${ip}/32 -m comment --comment "${facts.name}" -j KUBE-MARK-MASQ`,
        `-A ${chain} -p ${facts.protocol} -m comment --comment "${facts.name}" -m ${facts.protocol} -j DNAT --to-destination ${endpoint}`,
      ];
      const have = listing.rules.filter((rule) => rule.chain === chain).map((rule) => rule.text);
      return have.length === 2 && have[0] === want[0] && have[1] === want[1]
        ? []
        : [`${node} ${chain}: ${have.length ? have.join(' | ') : 'missing'}`];
    }),
  );
  return verdict(
    endpoints.length > 0 && problems.length === 0,
    `on every node, one KUBE-SEP chain per ready endpoint of ${facts.name} (${list(endpoints)}), each exactly: the hairpin KUBE-MARK-MASQ for its own pod, then the DNAT to it`,
    problems.length ? problems.join('; ') : `as expected on ${tables.length} nodes`,
    tables.flatMap((table) => table.evidence),
  );
}

/** L04-12: every node's Service chain follows the replacement; bounded wait for kube-proxy's sync on a live cluster. */
export async function rulesFollowReplacement(cluster: Cluster, replaced: Replacement, portName: string, waitMs = 10_000): Promise<Verdict> {
  const facts = await portFacts(cluster, replaced.service.name, portName);
  const port = replaced.service.ports.find((candidate) => (candidate.name ?? '') === portName);
  const target = typeof port?.targetPort === 'number' ? port.targetPort : port?.port;
  const newEndpoint = `${replaced.replacement.ip}:${target}`;
  const oldEndpoint = `${replaced.deleted.ip}:${target}`;
  return eventually(
    async () => {
      const tables = await everyNodesNat(cluster, undefined);
      const wrong = tables.flatMap(({ node, listing }) => {
        const targets = listing.rules
          .filter((rule) => rule.chain === facts.chain)
          .map((rule) => /-> (\S+)$/.exec(rule.comment ?? '')?.[1])
          .filter(Boolean) as string[];
        return targets.includes(newEndpoint) && !(oldEndpoint !== newEndpoint && targets.includes(oldEndpoint))
          ? []
          : [`${node} jumps to ${list(targets)}`];
      });
      return verdict(
        wrong.length === 0,
        `after ${replaced.deleted.name} (${replaced.deleted.ip}) was replaced by ${replaced.replacement.name} (${replaced.replacement.ip}), every node's ${facts.chain} to jump to ${newEndpoint} and not to ${oldEndpoint}`,
        wrong.length ? wrong.join('; ') : `as expected on ${tables.length} nodes`,
        tables.flatMap((table) => table.evidence),
      );
    },
    { withinMs: waitMs, everyMs: 500, settlesWithinMs: cluster.settlesWithinMs },
  );
}

/** L04-12: the ClusterIP survives the replacement. */
export async function clusterIPUnchanged(cluster: Cluster, replaced: Replacement): Promise<Verdict> {
  const now = await findService(cluster, replaced.service.name);
  return verdict(
    now.clusterIP === replaced.service.clusterIP,
    `the ClusterIP of ${now.name} to stay ${replaced.service.clusterIP}`,
    now.clusterIP,
    [],
    [listing('service', now)],
  );
}
