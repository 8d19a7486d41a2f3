/**
 * Lesson 08 (and 15): LoadBalancer Services advertised with BGP, read as a learner reads them: the
 * Service from the API, the router's kernel routes, kube-proxy's rules with iptables, conntrack on
 * the nodes, a real TCP connection from the router, and tcpdump on the nodes' links.
 */
import type { ExecResult, ExecTarget, NodeInfo, PodInfo, ServiceInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, sameSet, type Verdict, verdict } from '../evidence.ts';
import { cidrContains, cidrsOverlap } from '../net/cidr.ts';
import type { CalicoBgpObjects } from '../net/calico-bgp.ts';
import { externalChainName, KUBE_SERVICES, servicePortName } from '../net/kube-proxy.ts';
import { captureEachDuring } from '../probes/capture.ts';
import type { Observation } from '../probes/observation.ts';
import { interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { gatewaysOf, routes } from '../probes/routes.ts';
import { chooseNode, nodeTarget, routerTarget, type Placement } from '../subjects.ts';
import { hostSideCapturePoint } from '../probes/host-side.ts';
import { conntrackTo, natRules, sendLine, type LineExchange } from '../probes/services.ts';
import { afterBgpSettles, bgpAddressOf, speaks } from './bgp.ts';

/** The kube-apiserver's default --service-node-port-range. */
const NODE_PORTS = { first: 30000, last: 32767 };
const VXLAN_PORT = '4789';

/** The LoadBalancer range: the CIDR of the pool with allowedUses LoadBalancer. */
export function loadBalancerRange(objects: CalicoBgpObjects): string | undefined {
  return objects.pools.find((pool) => pool.allowedUses.includes('LoadBalancer'))?.cidr;
}

async function serviceNamed(cluster: Cluster, name: string, namespace = cluster.workloadNamespace): Promise<ServiceInfo> {
  const service = (await cluster.services({ namespace })).find((candidate) => candidate.name === name);
  if (!service) throw new Error(`Service ${namespace}/${name} does not exist; the lesson applies it`);
  return service;
}

/** L08-01: the router has no route covering the Service CIDR, and a TCP connection to the Service's ClusterIP fails. */
export async function clusterIPUnreachableFromRouter(cluster: Cluster, router: string, serviceName: string): Promise<Verdict> {
  const [service, cidr] = await Promise.all([serviceNamed(cluster, serviceName), cluster.serviceCIDR()]);
  const port = service.ports[0]?.port ?? 80;
  const [table, exchange] = await Promise.all([
    routes(cluster, routerTarget(router)),
    sendLine(cluster, routerTarget(router), service.clusterIP, port, 'get'),
  ]);
  const covering = table.value.filter((route) => route.prefix !== '0.0.0.0/0' && cidrsOverlap(route.prefix, cidr));
  const answered = exchange.value.exitCode === 0 && exchange.value.reply.length > 0;
  return verdict(
    covering.length === 0 && !answered,
    `the router has no route covering the Service CIDR ${cidr}, and a TCP connection to ${serviceName}'s ClusterIP ${service.clusterIP}:${port} fails`,
    `${covering.length ? `routes ${list(covering.map((route) => `${route.dst} via ${route.gateway ?? route.dev}`))}` : 'no route covering it'}; the connection ${answered ? `was answered: ${firstLine(exchange.value)}` : `failed (nc exit ${exchange.value.exitCode})`}`,
    [...table.evidence, ...exchange.evidence],
  );
}

/** L08-02: the LoadBalancer pool as the lesson applies it, listed beside the default pool, and no pod holds an address from it. */
export async function loadBalancerPoolIs(
  cluster: Cluster,
  name: string,
  expected: { prefix: number; blockSize: number; allowedUses: string[]; assignmentMode: string },
): Promise<Verdict> {
  const [pools, pods] = await Promise.all([cluster.ipPools(), cluster.pods()]);
  const pool = pools.find((candidate) => candidate.name === name);
  const mode = String(pool?.resource?.spec?.assignmentMode ?? 'Automatic');
  const inPool = pool ? pods.filter((pod) => pod.ip && cidrContains(pool.cidr, pod.ip)) : [];
  const ok =
    pool !== undefined &&
    pool.cidr.endsWith(`/${expected.prefix}`) &&
    pool.blockSize === expected.blockSize &&
    sameSet(pool.allowedUses, expected.allowedUses) &&
    mode === expected.assignmentMode &&
    pools.some((candidate) => candidate.name === 'default-ipv4-ippool') &&
    inPool.length === 0;
  return verdict(
    ok,
    `IPPool ${name} is a /${expected.prefix} with blockSize ${expected.blockSize}, allowedUses [${list(expected.allowedUses)}] and assignmentMode ${expected.assignmentMode}, beside default-ipv4-ippool, and no pod has an address from it`,
    pool
      ? `pools ${list(pools.map((candidate) => candidate.name))}; ${name}: cidr ${pool.cidr}, blockSize ${pool.blockSize}, allowedUses [${list(pool.allowedUses)}], assignmentMode ${mode}; pods in it: ${list(inPool.map((pod) => `${pod.name} ${pod.ip}`))}`
      : `no IPPool ${name} among ${list(pools.map((candidate) => candidate.name))}`,
  );
}

/** L08-03: the Service's LoadBalancer address from the LoadBalancer pool, its ClusterIP in the Service CIDR, a nodePort in range. */
export async function serviceHasLoadBalancerAddress(cluster: Cluster, serviceName: string): Promise<Verdict> {
  const [service, objects, serviceCidr] = await Promise.all([
    serviceNamed(cluster, serviceName),
    cluster.bgpObjects(),
    cluster.serviceCIDR(),
  ]);
  const range = loadBalancerRange(objects) ?? '(no LoadBalancer pool)';
  const ingress = service.loadBalancerIngress[0];
  const port = service.ports[0];
  const nodePort = port?.nodePort;
  const ok =
    service.type === 'LoadBalancer' &&
    ingress !== undefined &&
    cidrContains(range, ingress) &&
    cidrContains(serviceCidr, service.clusterIP) &&
    nodePort !== undefined &&
    nodePort >= NODE_PORTS.first &&
    nodePort <= NODE_PORTS.last;
  return verdict(
    ok,
    `${serviceName} is a LoadBalancer Service with status.loadBalancer.ingress[0].ip in ${range}, a clusterIP in ${serviceCidr} and a nodePort in ${NODE_PORTS.first}-${NODE_PORTS.last} for port ${port?.port}`,
    `type ${service.type}, ingress ${list(service.loadBalancerIngress)}, clusterIP ${service.clusterIP}, nodePort ${nodePort ?? 'none'}`,
  );
}

/** L08-04: BGPConfiguration default advertises the LoadBalancer range, with the AS and the mesh as lesson 07 left them. */
export async function bgpConfigurationAdvertisesLoadBalancerRange(cluster: Cluster, asNumber: number): Promise<Verdict> {
  const objects = await cluster.bgpObjects();
  const config = objects.configuration;
  const range = loadBalancerRange(objects);
  const ok =
    range !== undefined && sameSet(config.serviceLoadBalancerIPs, [range]) && config.asNumber === asNumber && !config.nodeToNodeMeshEnabled;
  return verdict(
    ok,
    `BGPConfiguration default has serviceLoadBalancerIPs [${range ?? '(no LoadBalancer pool)'}], asNumber ${asNumber} and the node-to-node mesh off`,
    `serviceLoadBalancerIPs [${list(config.serviceLoadBalancerIPs)}], asNumber ${config.asNumber}, mesh ${config.nodeToNodeMeshEnabled ? 'on' : 'off'}`,
  );
}

/** L08-05 (first half): the router's kernel has no route for the LoadBalancer range. */
export const routerHasNoRouteFor = afterBgpSettles(routerHasNoRouteForSeen);

async function routerHasNoRouteForSeen(cluster: Cluster, router: string, prefix: (objects: CalicoBgpObjects) => string): Promise<Verdict> {
  const [objects, table] = await Promise.all([cluster.bgpObjects(), routes(cluster, routerTarget(router))]);
  const target = prefix(objects);
  const covering = table.value.filter((route) => route.prefix !== '0.0.0.0/0' && cidrsOverlap(route.prefix, target));
  return verdict(
    covering.length === 0,
    `the router has no route for ${target}`,
    covering.length ? list(covering.map((route) => `${route.dst} proto ${route.proto} via ${route.gateway ?? route.dev}`)) : 'none',
    table.evidence,
  );
}

/** L08-08 / L15-08: the router routes the range via every speaker but the one whose session is down. */
export const routerRoutesViaOtherSpeakers = afterBgpSettles(routerRoutesViaOtherSpeakersSeen);

async function routerRoutesViaOtherSpeakersSeen(
  cluster: Cluster,
  router: string,
  downNode: string,
  rule: { label?: string } = {},
): Promise<Verdict> {
  const [nodes, objects, table] = await Promise.all([cluster.nodes(), cluster.bgpObjects(), routes(cluster, routerTarget(router))]);
  const target = loadBalancerRange(objects) ?? '(no LoadBalancer pool)';
  const rest = nodes.filter((node) => node.name !== downNode && speaks(rule, objects, node)).map(bgpAddressOf);
  const route = table.value.find((candidate) => candidate.prefix === target);
  const hops = gatewaysOf(route);
  const down = nodes.find((node) => node.name === downNode);
  const ok =
    route?.proto === 'bgp' && hops.length > 0 && hops.every((hop) => rest.includes(hop)) && !hops.includes(down ? bgpAddressOf(down) : '');
  return verdict(
    ok,
    `the router still routes ${target} by BGP, via the remaining speakers (${list(rest)}) and not via ${downNode}`,
    route ? `${target} proto ${route.proto} via ${list(hops)}` : `no route for ${target}`,
    table.evidence,
  );
}

function firstLine(exchange: LineExchange): string {
  return exchange.reply.split('\n')[0]?.trim() || '(nothing)';
}

/** The answer's first line, or that the connection failed. */
function whatCameBack(exchange: LineExchange): string {
  return exchange.exitCode === 0 ? firstLine(exchange) : `the connection failed (nc exit ${exchange.exitCode})`;
}

function nginxAnswered(exchange: LineExchange): boolean {
  return exchange.exitCode === 0 && /^HTTP\/1\.1 400 Bad Request\r?$/m.test(exchange.reply) && /^Server: nginx\//m.test(exchange.reply);
}

/** The Service's LoadBalancer address and first port; none is a finding of the claim (Calico's LoadBalancer IPAM gave none). */
async function loadBalancerTarget(
  cluster: Cluster,
  serviceName: string,
): Promise<{ service: ServiceInfo; ip: string; port: number } | Verdict> {
  const service = await serviceNamed(cluster, serviceName);
  const ip = service.loadBalancerIngress[0];
  if (!ip)
    return verdict(false, `${serviceName} has a LoadBalancer address the router can connect to`, 'status.loadBalancer.ingress is empty');
  return { service, ip, port: service.ports[0]?.port ?? 80 };
}

/** L08-08 / L08-09 / L15-06: from the router, `get` to the LoadBalancer address is answered by nginx. */
export async function routerReachesLoadBalancer(cluster: Cluster, router: string, serviceName: string): Promise<Verdict> {
  const target = await loadBalancerTarget(cluster, serviceName);
  if (!('ip' in target)) return target;
  const { ip, port } = target;
  const exchange = await sendLine(cluster, routerTarget(router), ip, port, 'get');
  return verdict(
    nginxAnswered(exchange.value),
    `a TCP connection from the router to ${ip}:${port} is answered "HTTP/1.1 400 Bad Request" with a "Server: nginx/…" header`,
    whatCameBack(exchange.value),
    exchange.evidence,
  );
}

/**
 * A Service's nodePort on a node, from the router: `get` to the node's Calico address (its eth1,
 * which the router reaches) at the port's nodePort is answered by nginx. kube-proxy opens a
 * nodePort on every node, so any node the placement picks must answer.
 */
export async function routerReachesNodePort(
  cluster: Cluster,
  router: string,
  serviceName: string,
  placement: Placement,
  named: Map<string, PodInfo>,
): Promise<Verdict> {
  const [service, nodeName, nodes] = await Promise.all([
    serviceNamed(cluster, serviceName),
    chooseNode(cluster, placement, named),
    cluster.nodes(),
  ]);
  const nodePort = service.ports[0]?.nodePort;
  const node = nodes.find((candidate) => candidate.name === nodeName) as NodeInfo;
  const address = bgpAddressOf(node);
  const expected = `a TCP connection from the router to ${serviceName}'s nodePort on ${nodeName} (${address}) is answered "HTTP/1.1 400 Bad Request" with a "Server: nginx/…" header`;
  if (nodePort === undefined) return verdict(false, expected, `${serviceName} (type ${service.type}) has no nodePort`);
  const exchange = await sendLine(cluster, routerTarget(router), address, nodePort, 'get');
  return verdict(nginxAnswered(exchange.value), expected, `${address}:${nodePort}: ${whatCameBack(exchange.value)}`, exchange.evidence);
}

/**
 * L08-09: the answer comes from nginx, the node the router picked holds the connection in conntrack
 * translated to an nginx endpoint, and every node's KUBE-SERVICES holds kube-proxy's
 * `loadbalancer IP` rule for the address, jumping to the port's KUBE-EXT chain.
 */
export async function loadBalancerTranslatedByNodes(cluster: Cluster, router: string, serviceName: string): Promise<Verdict> {
  const target = await loadBalancerTarget(cluster, serviceName);
  if (!('ip' in target)) return target;
  const { service, ip, port } = target;
  const nodes = await cluster.nodes();
  const exchange = await sendLine(cluster, routerTarget(router), ip, port, 'get');
  const [slices, tracked, rules] = await Promise.all([
    cluster.endpointSlices({ namespace: service.namespace, service: service.name }),
    Promise.all(nodes.map(async (node) => ({ node: node.name, seen: await conntrackTo(cluster, node.name, ip) }))),
    Promise.all(nodes.map(async (node) => ({ node: node.name, seen: await natRules(cluster, node.name, KUBE_SERVICES) }))),
  ]);
  const endpoints = slices.flatMap((slice) => slice.endpoints.flatMap((endpoint) => endpoint.addresses));
  const portName = servicePortName(service.namespace, service.name, service.ports[0]?.name);
  const chain = externalChainName(portName, service.ports[0]?.protocol ?? 'TCP');
  const comment = `${portName} loadbalancer IP`;
  const translating = tracked.filter(({ seen }) =>
    seen.value.some((entry) => entry.original.dport === port && endpoints.includes(entry.reply.src)),
  );
  const withoutRule = rules
    .filter(
      ({ seen }) =>
        !seen.value.rules.some(
          (rule) =>
            rule.destination === `${ip}/32` &&
            rule.args.includes(comment) &&
            rule.args.includes(String(port)) &&
            rule.args[rule.args.indexOf('-j') + 1] === chain,
        ),
    )
    .map(({ node }) => node);
  const evidence: ExecResult[] = [
    ...exchange.evidence,
    ...tracked.flatMap(({ seen }) => seen.evidence),
    ...rules.flatMap(({ seen }) => seen.evidence),
  ];
  return verdict(
    nginxAnswered(exchange.value) && translating.length >= 1 && withoutRule.length === 0,
    `nginx answers "get" on ${ip}:${port}; the node the router picked translated it to an nginx endpoint (${list(endpoints)}); every node's KUBE-SERVICES holds -d ${ip}/32 -p tcp --comment "${comment}" --dport ${port} -j ${chain}`,
    `${exchange.value.exitCode === 0 ? firstLine(exchange.value) : `connection failed (nc exit ${exchange.value.exitCode})`}; translated on ${list(translating.map(({ node }) => node))}; nodes without the rule: ${list(withoutRule)}`,
    evidence,
  );
}

const CONNECTIONS_PER_CAPTURE = 8;

/** L08-10: during connections from the router to the LoadBalancer address, no VXLAN packet crosses any node's eth1. */
export async function loadBalancerTrafficUnencapsulated(cluster: Cluster, router: string, serviceName: string): Promise<Verdict> {
  const target = await loadBalancerTarget(cluster, serviceName);
  if (!('ip' in target)) return target;
  const { ip, port } = target;
  const nodes = await cluster.nodes();
  // Several connections: kube-proxy sends each to a random endpoint, and only one that leaves
  // the node the router picked crosses a node link (1/2^8 that none does, with two endpoints).
  const connect = async (): Promise<Observation<LineExchange>> => {
    const evidence: ExecResult[] = [];
    let last: LineExchange | undefined;
    for (let attempt = 0; attempt < CONNECTIONS_PER_CAPTURE; attempt++) {
      const exchange = await sendLine(cluster, routerTarget(router), ip, port, 'get');
      evidence.push(...exchange.evidence);
      last = exchange.value;
      if (!nginxAnswered(exchange.value)) break;
    }
    return { value: last as LineExchange, evidence };
  };
  const seen = await captureEachDuring(
    cluster,
    nodes.map((node): ExecTarget => ({ kind: 'node', name: node.name })),
    ['udp', 'port', VXLAN_PORT],
    (_, index) => `vxlan-${nodes[index]?.name}`,
    connect,
    'eth1',
  );
  const exchange = seen.value.during.value;
  const vxlan = nodes.map((node, index) => ({ node: node.name, count: seen.value.packets[index]?.length ?? 0 }));
  const encapsulated = vxlan.filter((entry) => entry.count > 0);
  return verdict(
    nginxAnswered(exchange) && encapsulated.length === 0 && seen.value.packets.length === nodes.length,
    `${CONNECTIONS_PER_CAPTURE} connections to ${ip}:${port} are answered by nginx, and no UDP ${VXLAN_PORT} packet crosses any node's eth1 meanwhile`,
    `${exchange.exitCode === 0 ? firstLine(exchange) : `connection failed (nc exit ${exchange.exitCode})`}; VXLAN packets: ${list(vxlan.map((entry) => `${entry.node} ${entry.count}`))}`,
    seen.evidence,
  );
}

/**
 * L15-06: from the router, the LoadBalancer address answers as nginx, and the nginx pod that took
 * the connection saw it come from a BGP speaker's address, not the router's: the speaker the
 * router picked translated it with kube-proxy's rule and masqueraded it (externalTrafficPolicy
 * Cluster), whatever node the pod runs on.
 */
export async function loadBalancerMasqueradedBySpeaker(cluster: Cluster, router: string, serviceName: string): Promise<Verdict> {
  const target = await loadBalancerTarget(cluster, serviceName);
  if (!('ip' in target)) return target;
  const { service, ip, port } = target;
  const [nodes, objects, slices, pods] = await Promise.all([
    cluster.nodes(),
    cluster.bgpObjects(),
    cluster.endpointSlices({ namespace: service.namespace, service: service.name }),
    cluster.pods({ namespace: service.namespace }),
  ]);
  const speakers = nodes.filter((node) => speaks({}, objects, node));
  // Every address of a speaker, as `ip addr` on it shows them: MASQUERADE takes the one the
  // kernel picks for the way out (eth1 towards another node; for a pod on the speaker itself,
  // whichever address the kernel prefers, eth0's on a Kind node).
  const speakerInterfaces = await Promise.all(speakers.map((node) => interfaces(cluster, nodeTarget(node.name))));
  const speakerAddresses = new Set(
    speakerInterfaces.flatMap((seen) =>
      seen.value
        .flatMap((iface) => ipv4Addresses(iface).map((cidr) => cidr.split('/')[0] as string))
        .filter((address) => !address.startsWith('127.')),
    ),
  );
  const endpointIPs = new Set(slices.flatMap((slice) => slice.endpoints.flatMap((endpoint) => endpoint.addresses)));
  const backends = pods.filter((pod) => pod.ip && endpointIPs.has(pod.ip));
  const targetPort = slices[0]?.ports[0]?.port ?? port;
  // nginx:stable has no tcpdump: each backend's SYNs are captured on its veth's host side.
  const points = await Promise.all(backends.map((pod) => hostSideCapturePoint(cluster, pod)));
  const seen = await captureEachDuring(
    cluster,
    points.map((point) => point.value),
    ['tcp', 'dst', 'port', String(targetPort)],
    (_, index) => `lb-${backends[index]?.name}`,
    () => sendLine(cluster, routerTarget(router), ip, port, 'get'),
  );
  const exchange = seen.value.during.value;
  // The SYNs each backend saw, by their source address.
  const sources = backends.map((pod, index) => ({
    pod: pod.name,
    from: (seen.value.packets[index] ?? []).filter((packet) => packet.tcpFlags === 'S' && packet.src).map((packet) => packet.src as string),
  }));
  const from = sources.flatMap((source) => source.from);
  return verdict(
    nginxAnswered(exchange) && from.length > 0 && from.every((address) => speakerAddresses.has(address)),
    `nginx answers "get" on ${ip}:${port}, and the nginx pod that took it saw the connection from an address of a BGP speaker (${list(speakers.map((node) => node.name))}: ${list([...speakerAddresses])}), not from the router`,
    `${exchange.exitCode === 0 ? firstLine(exchange) : `connection failed (nc exit ${exchange.exitCode})`}; SYNs seen: ${list(sources.map((source) => `${source.pod} from ${list(source.from)}`))}`,
    [
      ...speakerInterfaces.flatMap((interfacesSeen) => interfacesSeen.evidence),
      ...points.flatMap((point) => point.evidence),
      ...seen.evidence,
    ],
  );
}
