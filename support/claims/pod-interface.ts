/** Claims about the pod's side of its network: eth0, its address, MTU and routes. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, sameSet, type Verdict, verdict } from '../evidence.ts';
import { ENCAPSULATION_OVERHEAD } from '../net/calico.ts';
import { cidrContains } from '../net/cidr.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import { formatRoute } from '../parse/ip-route.ts';
import { routes } from '../probes/routes.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';

export async function eth0HoldsOneAddress(cluster: Cluster, pod: PodInfo, prefixLen: number): Promise<Verdict> {
  const seen = await interfaces(cluster, podTarget(pod));
  const eth0 = interfaceNamed(seen.value, 'eth0');
  const addresses = eth0 ? ipv4Addresses(eth0) : [];
  return verdict(
    addresses.length === 1 && addresses[0]?.endsWith(`/${prefixLen}`) === true,
    `eth0 of pod ${pod.name} to hold exactly one IPv4 address, with prefix length /${prefixLen}`,
    eth0 ? list(addresses) : 'no eth0',
    seen.evidence,
  );
}

export async function addressInsidePool(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [pools, seen] = await Promise.all([cluster.ipPools(), interfaces(cluster, podTarget(pod))]);
  const eth0 = interfaceNamed(seen.value, 'eth0');
  const ips = eth0 ? ipv4Addresses(eth0).map((cidr) => cidr.split('/')[0] as string) : [];
  const inPool = (ip: string) => pools.some((pool) => cidrContains(pool.cidr, ip));
  return verdict(
    ips.length > 0 && ips.every(inPool),
    `the address of pod ${pod.name} to lie inside the Calico IP pool (${list(pools.map((pool) => pool.cidr))})`,
    list(ips),
    seen.evidence,
  );
}

/** eth0's MTU is the pool's; where the target cannot tell the pool MTU, the node MTU less the encapsulation overhead. */
export async function eth0HasPoolMtu(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [pools, inPod, onNode] = await Promise.all([
    cluster.ipPools(),
    interfaces(cluster, podTarget(pod)),
    interfaces(cluster, nodeTarget(pod.node)),
  ]);
  const pool = pools[0];
  const nodeMtu = interfaceNamed(onNode.value, 'eth0')?.mtu;
  const expected = pool?.mtu ?? (pool && nodeMtu ? nodeMtu - ENCAPSULATION_OVERHEAD[pool.encapsulation] : undefined);
  const mtu = interfaceNamed(inPod.value, 'eth0')?.mtu;
  return verdict(
    expected !== undefined && mtu === expected,
    `eth0 of pod ${pod.name} to have the pool's MTU, ${expected ?? 'unknown'}`,
    `MTU ${mtu ?? 'unknown (no eth0)'}`,
    inPod.evidence,
  );
}

/** The pod's MTU is its node's less what the pool's encapsulation adds (50 bytes for VXLAN, 20 for IP-in-IP). */
export async function podMtuIsNodeMtuLessOverhead(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [pools, inPod, onNode] = await Promise.all([
    cluster.ipPools(),
    interfaces(cluster, podTarget(pod)),
    interfaces(cluster, nodeTarget(pod.node)),
  ]);
  const encapsulation = pools[0]?.encapsulation ?? 'None';
  const overhead = ENCAPSULATION_OVERHEAD[encapsulation];
  const podMtu = interfaceNamed(inPod.value, 'eth0')?.mtu;
  const nodeMtu = interfaceNamed(onNode.value, 'eth0')?.mtu;
  return verdict(
    podMtu !== undefined && nodeMtu !== undefined && podMtu === nodeMtu - overhead,
    `the MTU of pod ${pod.name}'s eth0 to be its node's eth0 MTU (${nodeMtu ?? 'unknown'}) less ${overhead} bytes (${encapsulation})`,
    `pod ${podMtu ?? 'unknown'}, node ${nodeMtu ?? 'unknown'}`,
    [...inPod.evidence, ...onNode.evidence],
  );
}

export async function eth0IsVethToNode(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const side = await hostSideOf(cluster, pod);
  const peer = side.eth0?.peerIndex;
  return verdict(
    peer !== undefined && side.host !== undefined && side.host.peerIndex === side.eth0?.index,
    `eth0 of pod ${pod.name} to be one end of a veth pair (eth0@ifN) whose other end, index N, is on node ${pod.node} and points back at it`,
    side.eth0 === undefined
      ? 'no eth0 in the pod'
      : peer === undefined
        ? 'eth0 has no peer (not a veth)'
        : side.host === undefined
          ? `eth0@if${peer}, but node ${pod.node} has no interface ${peer}`
          : `eth0@if${peer} ↔ ${side.host.name}@if${side.host.peerIndex ?? '?'} on ${pod.node}`,
    side.evidence,
  );
}

export async function podRoutesAreExactly(cluster: Cluster, pod: PodInfo, expected: string[]): Promise<Verdict> {
  const seen = await routes(cluster, podTarget(pod));
  const actual = seen.value.map(formatRoute);
  return verdict(
    sameSet(actual.map(normaliseRoute), expected.map(normaliseRoute)),
    `the routing table of ${describePod(pod)} to be exactly: ${expected.join(' | ')}`,
    actual.join(' | ') || 'no routes',
    seen.evidence,
  );
}

function normaliseRoute(route: string): string {
  return route.trim().replace(/\s+/g, ' ');
}
