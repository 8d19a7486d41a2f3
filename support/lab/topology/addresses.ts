/**
 * The addresses of a containerlab topology's nodes and router, from the model's spec alone:
 * what each interface carries, the one calico-node autodetects, the tunnel MAC Felix derives.
 * Below the model (model.ts builds its nodes with them), so it imports no part of the lab's state.
 */
import { createHash } from 'node:crypto';
import { cidrContains, parseCidr } from '../../net/cidr.ts';
import { addressOf, subnetOf } from '../../topology/clab.ts';
import type { LabSpec } from '../spec.ts';

export interface InterfaceAddress {
  dev: string;
  /** The address with its prefix: 10.10.10.11/24. */
  cidr: string;
}

/** The addresses a node's interfaces carry: eth0 on the Kind network, then what the topology file adds. */
export function nodeInterfaceAddresses(spec: Pick<LabSpec, 'nodeNetwork' | 'routed'>, node: string, eth0: string): InterfaceAddress[] {
  const kind = { dev: 'eth0', cidr: `${eth0}/${parseCidr(spec.nodeNetwork).prefix}` };
  const added = (spec.routed?.nodeExec[node] ?? []).flatMap((command) => {
    const address = command.kind === 'ip' ? addressOf(command.line) : undefined;
    return address ? [address] : [];
  });
  return [kind, ...added];
}

/**
 * The address calico-node autodetects: with `nodeAddressAutodetectionV4.cidrs`, the first
 * interface address inside one of them; else the first found, eth0 on a Kind node (Calico
 * v3.30.0, node/pkg/lifecycle/startup/autodetection: AutoDetectCIDR / FirstFound).
 */
export function calicoAddressOf(
  spec: Pick<LabSpec, 'nodeNetwork' | 'routed' | 'nodeAddressCidrs'>,
  node: string,
  eth0: string,
): InterfaceAddress {
  const addresses = nodeInterfaceAddresses(spec, node, eth0);
  const cidrs = spec.nodeAddressCidrs;
  const found = cidrs
    ? addresses.find((address) => cidrs.some((cidr) => cidrContains(cidr, address.cidr.split('/')[0] as string)))
    : addresses[0];
  if (!found) throw new Error(`node ${node} has no address inside nodeAddressAutodetectionV4.cidrs ${cidrs?.join(', ')}`);
  return found;
}

/**
 * The MAC of a node's vxlan.calico when its Node names none: 0x66 ('f') and the first five
 * bytes of sha1(node name) (Felix v3.30.0, felix/calc/vxlan_resolver.go vtepMACForHost).
 */
export function tunnelMacOf(_lab: string, node: string): string {
  const sha = createHash('sha1').update(node).digest();
  return [0x66, ...sha.subarray(0, 5)].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** Whether two Calico node addresses share a subnet: what decides native routing under CrossSubnet. */
export function sameSubnet(a: InterfaceAddress, b: InterfaceAddress): boolean {
  return cidrContains(parseCidr(a.cidr, { loose: true }), b.cidr.split('/')[0] as string);
}

/** The router's addresses facing the nodes, from its exec lines (the SVIs: vlan10 10.10.10.1/24, …). */
export function routerAddresses(spec: Pick<LabSpec, 'routed'>): InterfaceAddress[] {
  return (spec.routed?.router.exec ?? []).flatMap((command) => {
    const address = command.kind === 'ip' ? addressOf(command.line) : undefined;
    return address ? [address] : [];
  });
}

/** The subnets the nodes' second interfaces sit on (10.10.10.0/24, 10.10.20.0/24), in order of first use. */
export function nodeSubnets(spec: Pick<LabSpec, 'nodeNetwork' | 'routed' | 'nodes'>): string[] {
  const subnets = spec.nodes.flatMap((node) =>
    nodeInterfaceAddresses(spec, node.name, '0.0.0.0')
      .slice(1)
      .map((address) => subnetOf(address.cidr)),
  );
  return [...new Set(subnets)];
}
