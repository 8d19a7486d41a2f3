/**
 * What Felix programs on a node besides the pods: the vxlan.calico device with the node's
 * tunnel address, and one route per IPAM block (a blackhole for the node's own blocks, via the
 * owning node for the others).
 */
import { ENCAPSULATION_OVERHEAD } from '../../net/calico.ts';
import { cidrContains } from '../../net/cidr.ts';
import type { LabNode, LabPod, LabState } from '../model.ts';

/** Calico's routing-protocol number for the routes Felix programs. */
const CALICO_ROUTE_PROTO = '80';
const VXLAN_DEVICE = 'vxlan.calico';
/** Felix's defaults (FelixConfiguration vxlanVNI, vxlanPort). */
const VXLAN_VNI = '4096';
const VXLAN_PORT = '4789';

/** vxlan.calico with the node's tunnel address, when the pool gave the node one. */
export function vxlanDeviceLines(state: LabState, node: LabNode): string[] {
  if (!node.tunnelIP) return [];
  return [
    `link add ${VXLAN_DEVICE} type vxlan id ${VXLAN_VNI} dstport ${VXLAN_PORT} local ${node.ip} dev eth0 nolearning`,
    `link set ${VXLAN_DEVICE} mtu ${state.spec.nodeMtu - ENCAPSULATION_OVERHEAD.VXLAN}`,
    `addr add ${node.tunnelIP}/32 dev ${VXLAN_DEVICE}`,
    `link set ${VXLAN_DEVICE} up`,
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

/**
 * A pod whose address lies in another node's block (a borrowed or explicitly requested
 * address): Felix routes that one address to the pod's node on every other node, more
 * specific than the block's route.
 */
export function borrowedRouteLines(state: LabState, node: LabNode, pods: LabPod[]): string[] {
  return pods.flatMap((pod) => {
    if (pod.hostNetwork || pod.node === node.name) return [];
    const block = state.ipam.blocks.find((candidate) => cidrContains(candidate.cidr, pod.ip));
    if (!block || block.node === pod.node) return [];
    const podNode = state.nodes.find((candidate) => candidate.name === pod.node);
    return podNode ? [`route replace ${pod.ip}/32 via ${podNode.ip} dev eth0 proto ${CALICO_ROUTE_PROTO} onlink`] : [];
  });
}
