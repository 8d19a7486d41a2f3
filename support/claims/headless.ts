/**
 * Claims of lesson 11 read from the API: the StatefulSet's pods, the Services' addresses, the
 * EndpointSlices of headless Services; and what redis-cli sees of the replication between the
 * StatefulSet's pods (names resolved by the cluster DNS from inside a client pod).
 */
import type { PodInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { eventually } from '../eventually.ts';
import { cidrContains, nthAddress, parseCidr } from '../net/cidr.ts';
import { captureDuring } from '../probes/capture.ts';
import { lookup } from '../probes/dns.ts';
import type { Observation } from '../probes/observation.ts';
import { hostname } from '../probes/identity.ts';
import { addressesOf } from '../parse/dig.ts';
import type { Packet } from '../parse/tcpdump.ts';
import { redisCommand, redisReplication, replyText } from '../probes/redis.ts';
import { natRules } from '../probes/services.ts';
import { describePod, podTarget } from '../subjects.ts';
import { hostSideCapturePoint } from '../probes/host-side.ts';
import { expandName, readyPodsOf, serviceNamed } from './cluster-dns.ts';

export const isReady = (pod: PodInfo): boolean => pod.phase === 'Running' && pod.containers.every((container) => container.ready);

export async function statefulSetPods(cluster: Cluster, statefulSet: string): Promise<PodInfo[]> {
  return (await cluster.pods({ namespace: cluster.workloadNamespace })).filter(
    (pod) => pod.owner?.kind === 'StatefulSet' && pod.owner.name === statefulSet,
  );
}

/** L11-01: the StatefulSet's pods carry its name and their ordinals, and each is Running and Ready. */
export async function statefulSetReadyWithOrdinals(cluster: Cluster, statefulSet: string, expected: string[]): Promise<Verdict> {
  const pods = await statefulSetPods(cluster, statefulSet);
  const ready = pods.filter(isReady).map((pod) => pod.name);
  return verdict(
    sameSet(
      pods.map((pod) => pod.name),
      expected,
    ) && ready.length === expected.length,
    `StatefulSet ${statefulSet} to have ${expected.length}/${expected.length} ready pods named ${list(expected)}`,
    `${ready.length}/${pods.length} ready: ${list(pods.map((pod) => `${pod.name}${isReady(pod) ? '' : ' (not ready)'}`))}`,
    [],
    [listing(`pods-of-${statefulSet}`, pods)],
  );
}

/** L11-01: inside each pod of the StatefulSet, `hostname` prints the pod's name. */
export async function statefulSetHostnames(cluster: Cluster, statefulSet: string): Promise<Verdict> {
  const pods = await statefulSetPods(cluster, statefulSet);
  const seen = await Promise.all(pods.map((pod) => hostname(cluster, podTarget(pod))));
  const wrong = pods.filter((pod, index) => seen[index]?.value !== pod.name);
  return verdict(
    pods.length > 0 && wrong.length === 0,
    `\`hostname\` in each pod of StatefulSet ${statefulSet} to print the pod's name`,
    list(pods.map((pod, index) => `${pod.name}: ${seen[index]?.value || '(nothing)'}`)),
    seen.flatMap((one) => one.evidence),
  );
}

/** L11-03: a ClusterIP Service with an address in the Service CIDR. */
export async function serviceHasClusterIP(cluster: Cluster, name: string): Promise<Verdict> {
  const [service, cidr] = await Promise.all([serviceNamed(cluster, name), cluster.serviceCIDR()]);
  const inside = service.clusterIP !== 'None' && cidrContains(cidr, service.clusterIP);
  return verdict(
    service.type === 'ClusterIP' && inside,
    `Service ${service.namespace}/${name} to be of type ClusterIP with a clusterIP in ${cidr}`,
    `type ${service.type}, clusterIP ${service.clusterIP}`,
    [],
    [listing(`service-${name}`, service)],
  );
}

/** L11-03: a headless Service (clusterIP None) with exactly the port given. */
export async function serviceIsHeadless(cluster: Cluster, name: string, port: number, protocol: string): Promise<Verdict> {
  const service = await serviceNamed(cluster, name);
  const ports = service.ports.map((each) => `${each.port}/${each.protocol}`);
  return verdict(
    service.clusterIP === 'None' && sameSet(ports, [`${port}/${protocol}`]),
    `Service ${service.namespace}/${name} to be headless (clusterIP None) with port ${port}/${protocol}`,
    `clusterIP ${service.clusterIP}, ports ${list(ports)}`,
    [],
    [listing(`service-${name}`, service)],
  );
}

/** L11-03: the `kubernetes` Service holds the first address of the Service CIDR. */
export async function kubernetesServiceAtFirstAddress(cluster: Cluster): Promise<Verdict> {
  const [service, cidr] = await Promise.all([serviceNamed(cluster, 'kubernetes'), cluster.serviceCIDR()]);
  const first = nthAddress(parseCidr(cidr), 1);
  return verdict(
    service.clusterIP === first,
    `Service default/kubernetes to hold ${first}, the first address of ${cidr}`,
    `clusterIP ${service.clusterIP}`,
    [],
    [listing('service-kubernetes', service)],
  );
}

/** L11-07: one ready endpoint per StatefulSet pod, hostname = targetRef.name = the pod, nodeName its node, and the named port. */
export async function sliceHasStatefulSetHostnames(
  cluster: Cluster,
  serviceName: string,
  statefulSet: string,
  port: { name: string; port: number; protocol: string },
): Promise<Verdict> {
  const [slices, pods] = await Promise.all([
    cluster.endpointSlices({ namespace: cluster.workloadNamespace, service: serviceName }),
    statefulSetPods(cluster, statefulSet),
  ]);
  const endpoints = slices.flatMap((slice) => slice.endpoints);
  const problems: string[] = [];
  for (const pod of pods) {
    const mine = endpoints.filter((endpoint) => endpoint.targetRef?.name === pod.name);
    const endpoint = mine[0];
    if (mine.length !== 1 || !endpoint) problems.push(`${pod.name}: ${mine.length} endpoints`);
    else if (
      endpoint.hostname !== pod.name ||
      endpoint.nodeName !== pod.node ||
      !endpoint.ready ||
      !endpoint.addresses.includes(pod.ip as string)
    ) {
      problems.push(
        `${pod.name}: hostname ${endpoint.hostname ?? 'none'}, node ${endpoint.nodeName ?? 'none'}, ready ${endpoint.ready}, addresses ${list(endpoint.addresses)}`,
      );
    }
  }
  const ports = [...new Set(slices.flatMap((slice) => slice.ports.map((each) => `${each.name} ${each.port}/${each.protocol}`)))];
  const wantPort = `${port.name} ${port.port}/${port.protocol}`;
  if (!sameSet(ports, [wantPort])) problems.push(`ports ${list(ports)}`);
  return verdict(
    pods.length > 0 && problems.length === 0 && endpoints.length === pods.length,
    `the EndpointSlice of ${serviceName} to hold one ready endpoint per pod of ${statefulSet} with hostname = targetRef.name = the pod, nodeName = its node, and port ${wantPort}`,
    problems.length ? problems.join('; ') : `${endpoints.length} endpoints for ${pods.length} pods`,
    [],
    [listing(`endpointslices-${serviceName}`, slices)],
  );
}

/** L11-07: a Deployment's endpoints name their pod and node but carry no hostname. */
export async function sliceHasNoHostnames(cluster: Cluster, serviceName: string): Promise<Verdict> {
  const slices = await cluster.endpointSlices({ namespace: cluster.workloadNamespace, service: serviceName });
  const endpoints = slices.flatMap((slice) => slice.endpoints);
  const wrong = endpoints.filter((endpoint) => endpoint.hostname !== undefined || !endpoint.targetRef || !endpoint.nodeName);
  return verdict(
    endpoints.length > 0 && wrong.length === 0,
    `every endpoint in the EndpointSlice of ${serviceName} to have targetRef and nodeName but no hostname`,
    wrong.length
      ? list(
          wrong.map(
            (endpoint) =>
              `${endpoint.targetRef?.name ?? '?'}: hostname ${endpoint.hostname ?? 'none'}, node ${endpoint.nodeName ?? 'none'}`,
          ),
        )
      : `${endpoints.length} endpoints, none with a hostname`,
    [],
    [listing(`endpointslices-${serviceName}`, slices)],
  );
}

/** L11-11: redis-cli by DNS name answers PONG. */
export async function redisAnswersPing(cluster: Cluster, client: PodInfo, host: string): Promise<Verdict> {
  const seen = await redisCommand(cluster, podTarget(client), host, ['ping']);
  return verdict(
    seen.value.ok && seen.value.value === 'PONG',
    `\`redis-cli -h ${host} ping\` in ${describePod(client)} to print PONG`,
    replyText(seen.value),
    seen.evidence,
  );
}

/** L11-12: the master reports role master and one online replica per expected announced name. */
export async function redisMasterReplicas(cluster: Cluster, client: PodInfo, host: string, announced: string[]): Promise<Verdict> {
  const seen = await redisReplication(cluster, podTarget(client), host);
  const want = announced.map((name) => expandName(cluster, client, name));
  const what = `INFO replication of ${host} to show role:master, connected_slaves:${want.length} and online replicas announced as ${list(want)}`;
  if (!seen.value.ok) return verdict(false, what, seen.value.error, seen.evidence);
  const info = seen.value.value;
  const online = info.replicas.filter((replica) => replica.state === 'online').map((replica) => replica.ip);
  return verdict(
    info.role === 'master' &&
      info.fields.connected_slaves === String(want.length) &&
      info.replicas.length === want.length &&
      sameSet(online, want),
    what,
    `role:${info.role}, connected_slaves:${info.fields.connected_slaves ?? '?'}, replicas ${list(info.replicas.map((replica) => `${replica.ip} ${replica.state}`))}`,
    seen.evidence,
  );
}

/** L11-13, L11-18: a read-only replica of the given master, its link up. */
export async function redisReplicaOf(cluster: Cluster, client: PodInfo, host: string, master: string, port: number): Promise<Verdict> {
  const seen = await redisReplication(cluster, podTarget(client), host);
  const wantMaster = expandName(cluster, client, master);
  const what = `INFO replication of ${host} to show role:slave, master_host:${wantMaster}, master_port:${port}, master_link_status:up, slave_read_only:1`;
  if (!seen.value.ok) return verdict(false, what, seen.value.error, seen.evidence);
  const info = seen.value.value;
  const fields = info.fields;
  return verdict(
    info.role === 'slave' &&
      fields.master_host === wantMaster &&
      fields.master_port === String(port) &&
      fields.master_link_status === 'up' &&
      fields.slave_read_only === '1',
    what,
    `role:${info.role}, master_host:${fields.master_host ?? '-'}, master_port:${fields.master_port ?? '-'}, master_link_status:${fields.master_link_status ?? '-'}, slave_read_only:${fields.slave_read_only ?? '-'}`,
    seen.evidence,
  );
}

/** L11-14: a key SET on the master is read back from each replica. */
export async function redisWriteReplicates(cluster: Cluster, client: PodInfo, master: string, replicas: string[]): Promise<Verdict> {
  const key = `podnet-e2e-${Date.now().toString(36)}`;
  const value = `hello from ${master}`;
  const set = await redisCommand(cluster, podTarget(client), master, ['set', key, value]);
  if (!set.value.ok || set.value.value !== 'OK') return verdict(false, `SET on ${master} to reply OK`, replyText(set.value), set.evidence);
  // Replication is asynchronous: ask each replica until it has the key (bounded by WAIT on the master).
  const wait = await redisCommand(cluster, podTarget(client), master, ['wait', String(replicas.length), '2000']);
  const reads = await Promise.all(replicas.map((replica) => redisCommand(cluster, podTarget(client), replica, ['get', key])));
  const wrong = replicas.filter((_, index) => {
    const read = reads[index]?.value;
    return !read?.ok || read.value !== value;
  });
  return verdict(
    wrong.length === 0,
    `a key SET on ${master} (OK) to be returned by GET on ${list(replicas)}`,
    list(replicas.map((replica, index) => `${replica}: ${reads[index] ? replyText(reads[index].value) : '?'}`)),
    [...set.evidence, ...wait.evidence, ...reads.flatMap((read) => read.evidence)],
  );
}

/** L11-14: a SET on a replica is refused as READONLY. */
export async function redisReplicaRefusesWrites(cluster: Cluster, client: PodInfo, replica: string): Promise<Verdict> {
  const seen = await redisCommand(cluster, podTarget(client), replica, ['set', 'podnet-e2e-readonly', 'test']);
  return verdict(
    seen.value.ok && /READONLY You can't write against a read only replica\./.test(seen.value.value),
    `SET on ${replica} to fail with "READONLY You can't write against a read only replica."`,
    replyText(seen.value),
    seen.evidence,
  );
}

/** L11-16: kube-proxy programs nothing for a headless Service: no rule of any node's nat table names it. */
export async function noNatRuleMentions(cluster: Cluster, serviceName: string): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const listings = await Promise.all(nodes.map((node) => natRules(cluster, node.name)));
  const name = `${cluster.workloadNamespace}/${serviceName}`;
  // kube-proxy names a Service in its rules' comments: "<namespace>/<name>:<port> …" or "<namespace>/<name> …".
  const mentions = listings.flatMap((listing, index) =>
    listing.value.rules
      .filter((rule) => rule.comments.some((comment) => comment.startsWith(`${name}:`) || comment.startsWith(`${name} `)))
      .map((rule) => `${nodes[index]?.name}: ${rule.text}`),
  );
  return verdict(
    mentions.length === 0,
    `no rule of any node's nat table to mention ${name}`,
    mentions.length
      ? mentions.join(' | ')
      : `none among ${listings.reduce((sum, listing) => sum + listing.value.rules.length, 0)} rules on ${nodes.length} nodes`,
    listings.flatMap((listing) => listing.evidence),
  );
}

/** A verdict that may take time to come true (a TTL to run out, a replica to reconnect), in the claim's words "within N s". */
export async function within(cluster: Cluster, seconds: number, check: () => Promise<Verdict>): Promise<Verdict> {
  const seen = await eventually(check, { withinMs: seconds * 1000, everyMs: 1000, settlesWithinMs: cluster.settlesWithinMs });
  return { ...seen, expected: `within ${seconds} s, ${seen.expected}` };
}

/**
 * Captures on each pod at once, the action running inside the innermost one. redis:7-alpine has
 * no tcpdump (busybox has no such applet): each pod's traffic is captured on its veth's host side.
 */
async function capturedOnEach<T>(
  cluster: Cluster,
  pods: PodInfo[],
  filter: string[],
  action: () => Promise<Observation<T>>,
): Promise<Observation<{ byPod: Packet[][]; during: Observation<T> }>> {
  const [first, ...rest] = pods;
  if (!first) {
    const during = await action();
    return { value: { byPod: [], during }, evidence: during.evidence, files: during.files ?? [] };
  }
  const point = await hostSideCapturePoint(cluster, first);
  const seen = await captureDuring(
    cluster,
    point.value.target,
    filter,
    first.name,
    () => capturedOnEach(cluster, rest, filter, action),
    point.value.iface,
  );
  const inner = seen.value.during.value;
  return {
    value: { byPod: [seen.value.packets, ...inner.byPod], during: inner.during },
    evidence: [...point.evidence, ...seen.evidence],
    files: seen.files ?? [],
  };
}

const synsTo = (packets: Packet[], port: number) =>
  packets.filter((packet) => packet.proto === 'TCP' && packet.tcpFlags === 'S' && packet.dstPort === port);

/**
 * L11-17: during `redis-cli -h <name> ping` in the client, a capture on the client's eth0 shows
 * its SYN addressed to a redis pod's IP that the DNS answer (`dig +search <name>`) holds, and a
 * capture on that redis pod's eth0 shows the SYN arriving from the client pod's own IP.
 */
export async function headlessConnectionGoesStraightToPod(
  cluster: Cluster,
  client: PodInfo,
  host: string,
  serviceName: string,
  port: number,
): Promise<Verdict> {
  const service = await serviceNamed(cluster, serviceName);
  const [answer, members] = await Promise.all([lookup(cluster, podTarget(client), host, { search: true }), readyPodsOf(cluster, service)]);
  const answered = addressesOf(answer.value);
  const filter = ['tcp', 'port', String(port)];
  const seen = await captureDuring(cluster, podTarget(client), filter, client.name, () =>
    capturedOnEach(cluster, members, filter, () => redisCommand(cluster, podTarget(client), host, ['ping'])),
  );
  const reply = seen.value.during.value.during.value;
  const sent = synsTo(seen.value.packets, port).filter((packet) => packet.src === client.ip);
  const to = sent[0]?.dst;
  const server = members.find((member) => member.ip === to);
  const serverIndex = server ? members.indexOf(server) : -1;
  const arrived =
    serverIndex < 0 ? [] : synsTo(seen.value.during.value.byPod[serverIndex] ?? [], port).filter((packet) => packet.dst === to);
  const ok =
    reply.ok &&
    reply.value === 'PONG' &&
    to !== undefined &&
    answered.includes(to) &&
    server !== undefined &&
    arrived.some((packet) => packet.src === client.ip);
  const podIPs = members.map((member) => `${member.ip} (${member.name})`);
  return verdict(
    ok,
    `during \`redis-cli -h ${host} ping\` (PONG) in ${describePod(client)}, its capture to show the connection addressed to a pod of Service ${service.namespace}/${service.name} (${list(podIPs)}) that \`dig +search ${host}\` answered, and that pod's capture to show it arriving from ${client.ip}`,
    [
      `DNS answer: ${answer.value.answered ? `status ${answer.value.status}, ${list(answered)}` : `no answer (${answer.value.errors.join('; ') || 'dig reached no server'})`}`,
      `redis-cli: ${replyText(reply)}`,
      `client sent ${to ? `SYN to ${to}:${port}${server ? ` (${server.name})` : ', not a pod of the Service'}` : 'no SYN'}`,
      server
        ? `${server.name} saw ${arrived.length ? `SYN from ${list([...new Set(arrived.map((packet) => packet.src ?? '?'))])}` : 'no SYN'}`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
    [...answer.evidence, ...seen.evidence],
    seen.files,
  );
}
