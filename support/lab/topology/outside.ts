/**
 * The outside world of the Kind family of topologies: one host beyond the node network's
 * gateway, standing for "an address on the internet" that a pool's natOutgoing is about.
 *
 * On a real kind cluster the nodes' default route goes to the Docker network's gateway (kind
 * creates the `kind` network, 172.18.0.0/16 with the gateway .1: kind v0.20
 * pkg/cluster/internal/providers/docker/network.go), and the machine routes on from there. In
 * the lab that gateway is the fabric namespace's bridge address; the fabric forwards to a
 * namespace of the lab holding a TEST-NET-3 address (RFC 5737: documentation only, no one's).
 * Like the internet, that host knows the way back to the node network (the nodes' addresses,
 * which Docker's own NAT makes reachable on a real machine) and none to the pods' pools: a
 * pod's packet gets an answer only when its node masqueraded it.
 *
 * The containerlab family (a router namespace with its own routes) has no outside world: its
 * fabric stays a bridge and forwards nothing.
 */
import { formatCidr, parseCidr } from '../../net/cidr.ts';
import type { Batch } from '../kernel.ts';
import type { LabState } from '../model.ts';
import { fabricNetns, outsideNetns } from '../naming.ts';

/** The outside host's address, and the fabric's on the link to it (TEST-NET-3, 203.0.113.0/24). */
export const OUTSIDE_HOST_IP = '203.0.113.10';
const OUTSIDE_LINK_GATEWAY = '203.0.113.1';
const OUTSIDE_LINK_PREFIX = 24;
/** The fabric's end of the link to the outside host. */
const FABRIC_UPLINK = 'wan0';

export function hasOutsideWorld(state: LabState): boolean {
  return !state.spec.routed;
}

/** The fabric's side: a veth to the outside host's eth0, the link's address, and forwarding on. */
export function outsideFabricBatch(state: LabState): Batch {
  return {
    netns: fabricNetns(state.name),
    lines: [
      `link add ${FABRIC_UPLINK} type veth peer name eth0 netns ${outsideNetns(state.name)}`,
      `addr add ${OUTSIDE_LINK_GATEWAY}/${OUTSIDE_LINK_PREFIX} dev ${FABRIC_UPLINK}`,
      `link set ${FABRIC_UPLINK} up`,
    ],
  };
}

/** The sysctl that makes the fabric a router between the node network and the outside link. */
export const FABRIC_FORWARDING = ['net.ipv4.ip_forward=1'];

/** The outside host's side: its address, and a route to the node network only (none to any pool). */
export function outsideHostBatch(state: LabState): Batch {
  return {
    netns: outsideNetns(state.name),
    lines: [
      'link set lo up',
      `addr add ${OUTSIDE_HOST_IP}/${OUTSIDE_LINK_PREFIX} dev eth0`,
      'link set eth0 up',
      `route add ${formatCidr(parseCidr(state.spec.nodeNetwork))} via ${OUTSIDE_LINK_GATEWAY} dev eth0`,
    ],
  };
}
