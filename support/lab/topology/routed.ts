/**
 * The containerlab family of topologies in the lab: nodes with a second interface (eth1) on
 * VLAN subnets, wired to one router namespace that holds a segment (bridge) per subnet with
 * its address on it (a switch's SVIs) and routes between them. The links are veth pairs as
 * containerlab makes them; each end runs the `exec` lines of the topology file.
 */
import { createHash } from 'node:crypto';
import { cidrContains, intToIp, parseCidr } from '../../net/cidr.ts';
import { addressOf, subnetOf, type ExecCommand } from '../../topology/clab.ts';
import type { Batch } from '../kernel.ts';
import type { LabState } from '../model.ts';
import { fabricNetns, routerNetns } from '../naming.ts';
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

function ipLines(commands: ExecCommand[]): string[] {
  return commands.flatMap((command) => (command.kind === 'ip' ? [command.line] : []));
}

export function sysctlsOf(commands: ExecCommand[]): string[] {
  return commands.flatMap((command) => (command.kind === 'sysctl' ? [command.setting] : []));
}

/** The veth pairs of the topology file, created from the node's side: eth1 in the node, ethN in the router. */
export function linkBatches(state: LabState): Batch[] {
  const routed = state.spec.routed;
  if (!routed) return [];
  const router = routerNetns(state.name);
  return routed.links.map((link) => {
    const node = state.nodes.find((candidate) => candidate.name === link.node);
    if (!node) throw new Error(`link to unknown node ${link.node}`);
    return {
      netns: node.netns,
      lines: [
        `link add ${link.nodeIface} mtu ${link.mtu} type veth peer name ${link.routerIface} mtu ${link.mtu} netns ${router}`,
        `link set ${link.nodeIface} up`,
      ],
    };
  });
}

/**
 * The router: its management interface on containerlab's network with the default route Docker
 * gives a container there (via the bridge's gateway, inside the lab's fabric), its ports up, then
 * the topology file's exec lines: the first removes that route, as the course's router has none,
 * then bridges per VLAN, SVI addresses, MTUs.
 */
export function routerBatch(state: LabState): Batch {
  const routed = state.spec.routed;
  if (!routed) return { netns: undefined, lines: [] };
  return {
    netns: routerNetns(state.name),
    lines: [
      'link set lo up',
      `addr add ${routed.router.mgmtAddress} dev eth0`,
      'link set eth0 up',
      `route add default via ${mgmtGateway(routed.router.mgmtAddress)}`,
      ...routed.links.map((link) => `link set ${link.routerIface} up`),
      ...ipLines(routed.router.exec),
    ],
  };
}

/** The management network's gateway (the `clab` bridge's address): its first address. */
function mgmtGateway(mgmtAddress: string): string {
  return intToIp(parseCidr(mgmtAddress, { loose: true }).base + 1);
}

/** containerlab's management network: a bridge in the fabric namespace, the router's eth0 on it. */
export function mgmtBatch(state: LabState): Batch {
  const routed = state.spec.routed;
  if (!routed) return { netns: undefined, lines: [] };
  const gateway = parseCidr(routed.router.mgmtAddress, { loose: true });
  return {
    netns: fabricNetns(state.name),
    lines: [
      'link add clab type bridge',
      `addr add ${intToIp(gateway.base + 1)}/${gateway.prefix} dev clab`,
      'link set clab up',
      `link add mgmt0 type veth peer name eth0 netns ${routerNetns(state.name)}`,
      'link set mgmt0 master clab',
      'link set mgmt0 up',
    ],
  };
}

/** What a node runs from the topology file (its eth1 address, its static route to the other subnet). */
export function nodeExecLines(state: LabState, node: string): string[] {
  return ipLines(state.spec.routed?.nodeExec[node] ?? []);
}
