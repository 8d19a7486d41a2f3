/**
 * How the lab's model becomes kernel objects, written as `ip -batch` lines per network
 * namespace, exactly as Calico wires a node: pure functions, so the plan can be read and tested.
 */
import { CALICO_GATEWAY, CALICO_HOST_MAC as CALICO_MAC, VXLAN_DEVICE, VXLAN_OVERHEAD } from '../../net/calico.ts';
import { intToIp, parseCidr } from '../../net/cidr.ts';
import { fabricNetns, fabricPortName } from './naming.ts';
import type { LabNode, LabPod, LabState } from './model.ts';

/** Lines for `ip -n <netns> -batch -`; `netns` undefined means the batch only adds/deletes namespaces. */
export interface Batch {
  netns: string | undefined;
  lines: string[];
}

export { CALICO_GATEWAY, CALICO_MAC };
/** Calico's routing-protocol number for the routes Felix programs. */
const CALICO_ROUTE_PROTO = '80';
const VXLAN_VNI = '4096';
const VXLAN_PORT = '4789';

export function gatewayOf(state: LabState): string {
  return intToIp(parseCidr(state.spec.nodeNetwork).base + 1);
}

export function namespacesToAdd(state: LabState): Batch {
  const names = [fabricNetns(state.name), ...state.nodes.map((node) => node.netns), ...podNamespaces(state.pods)];
  return { netns: undefined, lines: names.map((name) => `netns add ${name}`) };
}

export function podNamespaces(pods: LabPod[]): string[] {
  return pods.filter((pod) => !pod.hostNetwork).map((pod) => pod.netns);
}

/** The node network: one bridge in the fabric namespace, a veth to each node's eth0. */
export function fabricBatch(state: LabState): Batch {
  const prefix = parseCidr(state.spec.nodeNetwork).prefix;
  const lines = [
    'link set lo up',
    'link add br0 type bridge',
    `link set br0 mtu ${state.spec.nodeMtu}`,
    `addr add ${gatewayOf(state)}/${prefix} dev br0`,
    'link set br0 up',
  ];
  state.nodes.forEach((node, index) => {
    const port = fabricPortName(index);
    lines.push(
      `link add ${port} mtu ${state.spec.nodeMtu} type veth peer name eth0 mtu ${state.spec.nodeMtu} netns ${node.netns}`,
      `link set ${port} master br0`,
      `link set ${port} up`,
    );
  });
  return { netns: fabricNetns(state.name), lines };
}

/** A node: its eth0 address and default route, its tunnel device, its pods' veths and routes, the block routes. */
export function nodeBatch(state: LabState, node: LabNode): Batch {
  const prefix = parseCidr(state.spec.nodeNetwork).prefix;
  const lines = [
    'link set lo up',
    `addr add ${node.ip}/${prefix} dev eth0`,
    'link set eth0 up',
    `route add default via ${gatewayOf(state)} dev eth0`,
  ];
  if (node.tunnelIP) {
    lines.push(
      `link add ${VXLAN_DEVICE} type vxlan id ${VXLAN_VNI} dstport ${VXLAN_PORT} local ${node.ip} dev eth0 nolearning`,
      `link set ${VXLAN_DEVICE} mtu ${state.spec.nodeMtu - VXLAN_OVERHEAD}`,
      `addr add ${node.tunnelIP}/32 dev ${VXLAN_DEVICE}`,
      `link set ${VXLAN_DEVICE} up`,
    );
  }
  for (const pod of state.pods) {
    if (pod.node === node.name && !pod.hostNetwork) lines.push(...podHostSideLines(state, pod));
  }
  lines.push(...blockRouteLines(state, node));
  return { netns: node.netns, lines };
}

/** Calico's host side of one pod: the cali veth (its peer is the pod's eth0) and the /32 host route. */
export function podHostSideLines(state: LabState, pod: LabPod): string[] {
  const cali = pod.hostInterface as string;
  return [
    `link add ${cali} mtu ${state.mtu} type veth peer name eth0 mtu ${state.mtu} netns ${pod.netns}`,
    `link set ${cali} address ${CALICO_MAC}`,
    `link set ${cali} up`,
    `route add ${pod.ip} dev ${cali} scope link`,
  ];
}

/** One route per block: a blackhole for the node's own blocks, via the owner's IP for remote ones. */
export function blockRouteLines(state: LabState, node: LabNode): string[] {
  return state.ipam.blocks.map((block) => blockRouteLine(state, node, block.cidr, block.node));
}

export function blockRouteLine(state: LabState, node: LabNode, cidr: string, owner: string): string {
  if (owner === node.name) return `route replace blackhole ${cidr} proto ${CALICO_ROUTE_PROTO}`;
  const ownerNode = state.nodes.find((candidate) => candidate.name === owner);
  if (!ownerNode) throw new Error(`block ${cidr} belongs to unknown node ${owner}`);
  return `route replace ${cidr} via ${ownerNode.ip} dev eth0 proto ${CALICO_ROUTE_PROTO} onlink`;
}

/** The pod's side: eth0 with one /32, and exactly the two routes through Calico's link-local gateway. */
export function podBatch(pod: LabPod): Batch {
  return {
    netns: pod.netns,
    lines: [
      'link set lo up',
      'link set eth0 up',
      `addr add ${pod.ip}/32 dev eth0`,
      `route add ${CALICO_GATEWAY} dev eth0 scope link`,
      `route add default via ${CALICO_GATEWAY} dev eth0`,
    ],
  };
}

/** Kernel settings of a node: forwarding on, and on every cali interface proxy ARP answering at once. */
export function nodeSysctls(state: LabState, node: LabNode, pods: LabPod[] = state.pods): string[] {
  return [
    ...(pods === state.pods ? ['net.ipv4.ip_forward=1'] : []),
    ...pods.filter((pod) => pod.node === node.name && !pod.hostNetwork).flatMap((pod) => caliSysctls(pod.hostInterface as string)),
  ];
}

function caliSysctls(cali: string): string[] {
  return [`net.ipv4.conf.${cali}.proxy_arp=1`, `net.ipv4.neigh.${cali}.proxy_delay=0`, `net.ipv4.conf.${cali}.forwarding=1`];
}

/** The pod's resolv.conf, as the kubelet writes it for ClusterFirst DNS. */
export function resolvConf(state: LabState, pod: LabPod): string {
  const search = [`${pod.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
  return `search ${search.join(' ')}\nnameserver ${state.dnsServiceIP}\noptions ndots:5\n`;
}
