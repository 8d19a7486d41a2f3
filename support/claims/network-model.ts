/** Claims of the Kubernetes network model and of CNI (NET-01, 03, 04, 05, 06, 08, 09). */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { VXLAN_DEVICE, usesVxlan } from '../net/calico.ts';
import { cidrsOverlap, formatCidr, parseCidr } from '../net/cidr.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { cniConfigFiles, cniExecutables, cniPluginTypes } from '../probes/node-config.ts';
import { LOCALHOST_PORT, connectOverLocalhost } from '../probes/localhost.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

export async function podIPsAreUnique(cluster: Cluster): Promise<Verdict> {
  const pods = (await cluster.pods()).filter((pod) => !pod.hostNetwork && pod.ip);
  const byIP = new Map<string, PodInfo[]>();
  for (const pod of pods) byIP.set(pod.ip as string, [...(byIP.get(pod.ip as string) ?? []), pod]);
  const shared = [...byIP].filter(([, holders]) => holders.length > 1);
  return verdict(
    pods.length > 0 && shared.length === 0,
    `no two of the ${pods.length} pods (host-network pods aside) to share an IP`,
    shared.length
      ? shared
          .map(([ip, holders]) => `${ip} held by ${holders.map((pod) => `${pod.namespace}/${pod.name} on ${pod.node}`).join(' and ')}`)
          .join('; ')
      : 'every IP unique',
    [],
    [listing('pods', pods)],
  );
}

/** The node network is read off each node: the CIDR of the address that is its InternalIP. */
export async function networksDoNotOverlap(cluster: Cluster): Promise<Verdict> {
  const [pools, serviceCIDR, nodes] = await Promise.all([cluster.ipPools(), cluster.serviceCIDR(), cluster.nodes()]);
  const seen = await Promise.all(nodes.map((node) => interfaces(cluster, nodeTarget(node.name))));
  const nodeNetworks = new Set<string>();
  seen.forEach((observation, index) => {
    for (const iface of observation.value) {
      for (const cidr of ipv4Addresses(iface))
        if (cidr.startsWith(`${nodes[index]?.internalIP}/`)) nodeNetworks.add(formatCidr(parseCidr(cidr, { loose: true })));
    }
  });
  const ranges = [
    ...pools.map((pool) => ({ what: `pod CIDR ${pool.cidr}`, cidr: pool.cidr })),
    { what: `Service CIDR ${serviceCIDR}`, cidr: serviceCIDR },
    ...[...nodeNetworks].map((cidr) => ({ what: `node network ${cidr}`, cidr })),
  ];
  const clashes: string[] = [];
  ranges.forEach((a, i) =>
    ranges.slice(i + 1).forEach((b) => cidrsOverlap(a.cidr, b.cidr) && clashes.push(`${a.what} overlaps ${b.what}`)),
  );
  return verdict(
    nodeNetworks.size > 0 && clashes.length === 0,
    'the pod CIDR, the Service CIDR and the node network not to overlap',
    clashes.length ? list(clashes) : ranges.map((range) => range.what).join(', '),
    seen.flatMap((observation) => observation.evidence),
    [listing('ranges', { pools, serviceCIDR })],
  );
}

export async function poolUsesVxlan(cluster: Cluster): Promise<boolean> {
  return (await cluster.ipPools()).some((pool) => usesVxlan(pool.encapsulation));
}

/** Calico's VXLAN device (vxlan.calico) on every node has the node's eth0 MTU less the VXLAN overhead. */
export async function overlayMtuIsNodeMtuLess(cluster: Cluster, overhead: number): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(nodes.map((node) => interfaces(cluster, nodeTarget(node.name))));
  const rows = nodes.map((node, index) => {
    const list = seen[index]?.value ?? [];
    return { node: node.name, eth0: interfaceNamed(list, 'eth0')?.mtu, vxlan: interfaceNamed(list, VXLAN_DEVICE)?.mtu };
  });
  return verdict(
    rows.every((row) => row.eth0 !== undefined && row.vxlan === row.eth0 - overhead),
    `on every node, ${VXLAN_DEVICE}'s MTU to be eth0's MTU less ${overhead} bytes`,
    rows.map((row) => `${row.node}: eth0 ${row.eth0 ?? 'missing'}, ${VXLAN_DEVICE} ${row.vxlan ?? 'missing'}`).join('; '),
    seen.flatMap((observation) => observation.evidence),
  );
}

export async function hostNetworkPodUsesNodeIP(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [nodes, inPod] = await Promise.all([cluster.nodes(), interfaces(cluster, podTarget(pod))]);
  const nodeIP = nodes.find((node) => node.name === pod.node)?.internalIP;
  const addresses = inPod.value.flatMap((iface) => ipv4Addresses(iface).map((cidr) => cidr.split('/')[0]));
  return verdict(
    nodeIP !== undefined && pod.ip === nodeIP && addresses.includes(nodeIP),
    `hostNetwork pod ${pod.name} to have its node ${pod.node}'s InternalIP ${nodeIP} as its IP, and to see it on its own interfaces`,
    `pod IP ${pod.ip}; addresses inside the pod: ${list(addresses as string[])}`,
    inPod.evidence,
  );
}

/** Every container of the pod sees the same eth0: same index, MAC and addresses. */
export async function containersShareEth0(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const seen = await Promise.all(pod.containers.map((container) => interfaces(cluster, podTarget(pod, container.name))));
  const views = seen.map((observation, index) => {
    const eth0 = interfaceNamed(observation.value, 'eth0');
    return {
      container: pod.containers[index]?.name,
      view: eth0 ? `eth0 #${eth0.index} ${eth0.mac} ${list(ipv4Addresses(eth0))}` : 'no eth0',
    };
  });
  const distinct = new Set(views.map((view) => view.view));
  return verdict(
    pod.containers.length > 1 && distinct.size === 1 && !distinct.has('no eth0'),
    `the ${pod.containers.length} containers of pod ${pod.name} to see one and the same eth0 with the pod's IP ${pod.ip}`,
    views.map((view) => `${view.container}: ${view.view}`).join('; '),
    seen.flatMap((observation) => observation.evidence),
  );
}

/** A server in one container answers a client in another container on 127.0.0.1. */
export async function containersReachOverLocalhost(cluster: Cluster, pod: PodInfo, client: string, server: string): Promise<Verdict> {
  const seen = await connectOverLocalhost(cluster, pod, client, server);
  return verdict(
    seen.value.connected,
    `container ${client} of pod ${pod.name} to reach a server in container ${server} at 127.0.0.1:${LOCALHOST_PORT}`,
    seen.value.connected ? 'connected' : `could not connect: ${seen.value.said}`,
    seen.evidence,
  );
}

/** The runtime uses the lexicographically first configuration file in /etc/cni/net.d. */
export async function cniConfigIsFirstFile(cluster: Cluster, node: string, expected: string): Promise<Verdict> {
  const seen = await cniConfigFiles(cluster, nodeTarget(node));
  return verdict(
    seen.value[0] === expected,
    `the first CNI configuration in /etc/cni/net.d on node ${node} to be ${expected}`,
    list(seen.value),
    seen.evidence,
  );
}

/** Every plugin (and IPAM plugin) the configuration names is an executable in /opt/cni/bin. */
export async function cniBinariesPresent(cluster: Cluster, node: string, config: string): Promise<Verdict> {
  const [named, present] = await Promise.all([
    cniPluginTypes(cluster, nodeTarget(node), config),
    cniExecutables(cluster, nodeTarget(node)),
  ]);
  const missing = named.value.filter((plugin) => !present.value.includes(plugin));
  return verdict(
    named.value.length > 0 && missing.length === 0,
    `every plugin named by ${config} on node ${node} (${list(named.value)}) to be an executable in /opt/cni/bin`,
    missing.length ? `missing: ${list(missing)}` : 'all present',
    [...named.evidence, ...present.evidence],
  );
}

export async function blocksBelowUtilisation(cluster: Cluster, percent: number): Promise<Verdict> {
  const blocks = await cluster.ipamBlocks();
  const rows = blocks.map((block) => {
    const size = parseCidr(block.cidr).size;
    return { block, used: (100 * block.allocations.length) / size };
  });
  const over = rows.filter((row) => row.used > percent);
  return verdict(
    blocks.length > 0 && over.length === 0,
    `no IPAM block to be more than ${percent}% allocated`,
    rows.map((row) => `${row.block.cidr} (${row.block.node ?? 'no node'}): ${row.used.toFixed(0)}%`).join(', '),
    [],
    [listing('ipam-blocks', blocks)],
  );
}
