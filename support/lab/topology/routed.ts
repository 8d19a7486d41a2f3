/**
 * The containerlab family of topologies in the lab: nodes with a second interface (eth1) on
 * VLAN subnets, wired to one router namespace that holds a segment (bridge) per subnet with
 * its address on it (a switch's SVIs) and routes between them. The links are veth pairs as
 * containerlab makes them; each end runs the `exec` lines of the topology file.
 */
import { intToIp, parseCidr } from '../../net/cidr.ts';
import type { ExecCommand } from '../../topology/clab.ts';
import type { Batch } from '../kernel.ts';
import type { LabState } from '../model.ts';
import { fabricNetns, routerNetns } from '../naming.ts';

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
