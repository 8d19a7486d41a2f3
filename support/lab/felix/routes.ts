/**
 * What Felix programs on a node besides the pods: the vxlan.calico device with the node's
 * tunnel address, one route per IPAM block (a blackhole for the node's own blocks; native or
 * through the tunnel for the others), and for every other node's VTEP a permanent neighbour
 * and FDB entry. Follows Felix v3.30.0, felix/dataplane/linux/vxlan_mgr.go:
 * configureVXLANDevice (the device), updateRoutes/noEncapRoute/tunneledRoute (the routes),
 * updateNeighborsAndAllowedSources with felix/vxlanfdb/vxlan_fdb.go (neighbours, FDB).
 */
import { cidrContains } from '../../net/cidr.ts';
import { isHostBlock } from '../ipam/ipam.ts';
import type { LabNode, LabPod, LabState } from '../model.ts';
import { sameSubnet } from '../topology/addresses.ts';

/** Calico's routing-protocol number for the routes Felix programs without encapsulation (dataplanedefs.VXLANDefaultProto). */
export const CALICO_ROUTE_PROTO = '80';
import { VXLAN_DEVICE } from '../../net/calico.ts';

export { VXLAN_DEVICE };
/** Felix's defaults (FelixConfiguration vxlanVNI, vxlanPort). */
export const VXLAN_VNI = '4096';
export const VXLAN_PORT = '4789';
/** The fault under which Felix does not follow an MTU change (see faults/mtu.ts). */
export const VXLAN_MTU_STUCK_FAULT = 'vxlan-mtu-stuck';

/**
 * vxlan.calico with the node's tunnel address, when the pool gave the node one: its MAC is the
 * node's recorded tunnel MAC, its local address the node's Calico address, its parent the
 * interface holding that address; netlink.Vxlan's Learning stays false (nolearning). Its MTU
 * is Felix's VXLAN MTU, which the lab keeps equal to the pool's (the operator sets both).
 */
export function vxlanDeviceLines(state: LabState, node: LabNode): string[] {
  if (!node.tunnelIP) return [];
  const local = node.calicoAddress.cidr.split('/')[0];
  return [
    `link add ${VXLAN_DEVICE}${node.tunnelMac ? ` address ${node.tunnelMac}` : ''} type vxlan id ${VXLAN_VNI} dstport ${VXLAN_PORT} local ${local} dev ${node.calicoAddress.dev} nolearning`,
    `link set ${VXLAN_DEVICE} mtu ${state.mtu}`,
    `addr add ${node.tunnelIP}/32 dev ${VXLAN_DEVICE}`,
    `link set ${VXLAN_DEVICE} up`,
  ];
}

/** The other nodes that have a VTEP: a tunnel address and a MAC. */
function remoteVteps(state: LabState, node: LabNode): LabNode[] {
  return state.nodes.filter((other) => other.name !== node.name && other.tunnelIP && other.tunnelMac);
}

/** One permanent ARP entry per remote VTEP on vxlan.calico: its tunnel address → its MAC. */
export function vxlanNeighbourLines(state: LabState, node: LabNode): string[] {
  if (!node.tunnelIP) return [];
  return remoteVteps(state, node).map(
    (other) => `neigh replace ${other.tunnelIP} lladdr ${other.tunnelMac} dev ${VXLAN_DEVICE} nud permanent`,
  );
}

/** `bridge -batch` lines: one FDB entry per remote VTEP, its MAC → its node's Calico address. */
export function vxlanFdbLines(state: LabState, node: LabNode): string[] {
  if (!node.tunnelIP) return [];
  return remoteVteps(state, node).map(
    (other) => `fdb replace ${other.tunnelMac} dev ${VXLAN_DEVICE} dst ${other.calicoAddress.cidr.split('/')[0]} self permanent`,
  );
}

/**
 * One route per block: a blackhole for the node's own blocks, native or tunnelled for remote ones.
 * With BGP and a pool without encapsulation, Felix programs none of them: BIRD does (its own
 * blocks as blackholes, the others as learned), with protocol bird (see ../bgp/bird-config.ts).
 */
export function blockRouteLines(state: LabState, node: LabNode): string[] {
  if (state.spec.bgp && state.spec.pool.encapsulation === 'None') return [];
  return state.ipam.blocks.filter(isHostBlock).map((block) => blockRouteLine(state, node, block.cidr, block.node));
}

/**
 * Felix's choice for a remote block: VXLAN always tunnels; VXLANCrossSubnet routes natively
 * when the owner's Calico address is in this node's subnet (RouteUpdate.SameSubnet), via
 * that address on the parent interface, proto 80, onlink; else via the owner's tunnel
 * address on vxlan.calico, onlink. Other pools (no VXLAN) route natively.
 */
export function blockRouteLine(state: LabState, node: LabNode, cidr: string, owner: string): string {
  if (owner === node.name) return `route replace blackhole ${cidr} proto ${CALICO_ROUTE_PROTO}`;
  const ownerNode = state.nodes.find((candidate) => candidate.name === owner);
  if (!ownerNode) throw new Error(`block ${cidr} belongs to unknown node ${owner}`);
  const encapsulation = state.spec.pool.encapsulation;
  const tunnelled =
    ownerNode.tunnelIP &&
    (encapsulation === 'VXLAN' || (encapsulation === 'VXLANCrossSubnet' && !sameSubnet(node.calicoAddress, ownerNode.calicoAddress)));
  if (tunnelled) return `route replace ${cidr} via ${ownerNode.tunnelIP} dev ${VXLAN_DEVICE} onlink`;
  return `route replace ${cidr} via ${ownerNode.calicoAddress.cidr.split('/')[0]} dev ${node.calicoAddress.dev} proto ${CALICO_ROUTE_PROTO} onlink`;
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
    return podNode
      ? [
          `route replace ${pod.ip}/32 via ${podNode.calicoAddress.cidr.split('/')[0]} dev ${node.calicoAddress.dev} proto ${CALICO_ROUTE_PROTO} onlink`,
        ]
      : [];
  });
}
