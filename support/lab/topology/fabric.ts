/**
 * The lab's topology: the node network Kind gives its nodes (one bridge in a fabric namespace,
 * a veth to each node's eth0) and the namespaces everything lives in.
 */
import { intToIp, parseCidr } from '../../net/cidr.ts';
import type { Batch } from '../kernel.ts';
import type { LabNode, LabPod, LabState } from '../model.ts';
import { fabricNetns, fabricPortName, outsideNetns, routerNetns } from '../naming.ts';
import { hasOutsideWorld } from './outside.ts';

/** The node network's first address: Docker's gateway on the kind network. */
export function gatewayOf(state: LabState): string {
  return intToIp(parseCidr(state.spec.nodeNetwork).base + 1);
}

export function namespacesToAdd(state: LabState): Batch {
  const names = [
    fabricNetns(state.name),
    ...(state.spec.routed ? [routerNetns(state.name)] : []),
    ...(hasOutsideWorld(state) ? [outsideNetns(state.name)] : []),
    ...state.nodes.map((node) => node.netns),
    ...podNamespaces(state.pods),
  ];
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

/** A node's own uplink: its eth0 address and the default route through the node network's gateway. */
export function nodeUplinkLines(state: LabState, node: LabNode): string[] {
  const prefix = parseCidr(state.spec.nodeNetwork).prefix;
  return [
    'link set lo up',
    `addr add ${node.ip}/${prefix} dev eth0`,
    'link set eth0 up',
    `route add default via ${gatewayOf(state)} dev eth0`,
  ];
}
