/**
 * Faults of lessons 21 and 22 (topologies macvlan and ipvlan): a NAD applied wrong, an IPAM that
 * hands out what Whereabouts would not, net1 routing or translating what it must not, eth2 given
 * an address, the switch's VLAN ports crossed. A fault that changes how pods are attached
 * detaches every pod's secondary networks (CNI DEL) and attaches them again under it (CNI ADD).
 */
import { runBatch } from '../kernel.ts';
import type { LabState } from '../model.ts';
import { routerNetns } from '../naming.ts';
import { routerAddresses } from '../topology/addresses.ts';
import type { Fault } from '../faults/fault.ts';
import { DEFAULT_ROUTE_FAULT, GATEWAY_HANDED_OUT_FAULT, NAT_FAULT, NODE_LOCAL_IPAM_FAULT } from './behaviours.ts';
import { attachSecondary, detachSecondary } from './multus.ts';
import { parseNadConfig } from './nad.ts';
import { intToIp, parseCidr } from '../../net/cidr.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

const MACVLAN = [TOPOLOGY.macvlan];
const IPVLAN = [TOPOLOGY.ipvlan];
const MULTUS_TOPOLOGIES = [TOPOLOGY.macvlan, TOPOLOGY.ipvlan];

/** Every attached pod through CNI DEL, then ADD again under what the fault changed (the behaviour is in state.faults by then). */
async function reattach(state: LabState, behaviour: string): Promise<void> {
  const attached = state.pods.filter((pod) => pod.secondary?.length);
  await Promise.all(attached.map((pod) => detachSecondary(state, pod)));
  for (const pod of attached) delete pod.secondary;
  state.faults.push(behaviour);
  try {
    await attachSecondary(state, attached);
  } finally {
    state.faults.pop(); // lab.ts records the fault's name once apply returns
  }
}

/** Rewrites a field of every NAD's configuration, as a learner's edited NAD applied again would. */
async function editNads(state: LabState, fault: string, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const attached = state.pods.filter((pod) => pod.secondary?.length);
  await Promise.all(attached.map((pod) => detachSecondary(state, pod)));
  state.spec.nads = (state.spec.nads ?? []).map((nad) => {
    const config = JSON.parse(nad.config) as Record<string, unknown>;
    edit(config);
    const text = JSON.stringify(config, null, 2);
    return { ...nad, ...parseNadConfig(text, `fault ${fault}`) };
  });
  await attachSecondary(state, attached);
}

export const MULTUS_FAULTS: Fault[] = [
  {
    name: 'macvlan-wrong-parent',
    description: 'the NAD names eth1 as master: net1 hangs off the VLAN 10 link, not eth2',
    topologies: MACVLAN,
    apply: (state) => editNads(state, 'macvlan-wrong-parent', (config) => (config.master = 'eth1')),
  },
  {
    name: 'macvlan-mode-private',
    description: 'the NAD asks for macvlan mode private instead of bridge',
    topologies: MACVLAN,
    apply: (state) => editNads(state, 'macvlan-mode-private', (config) => (config.mode = 'private')),
  },
  {
    name: 'ipvlan-modes-swapped',
    description: "the two ipvlan NADs were applied with each other's mode: vlan30-ipvlan-l2 asks for l3, vlan30-ipvlan-l3 for l2",
    topologies: IPVLAN,
    apply: (state) =>
      editNads(state, 'ipvlan-modes-swapped', (config) => {
        config.mode = config.mode === 'l2' ? 'l3' : 'l2';
      }),
  },
  {
    name: GATEWAY_HANDED_OUT_FAULT,
    description: "the IPAM ignores the NAD's range and exclusions: addresses from the subnet's first host on, the gateway first",
    topologies: MACVLAN,
    apply: (state) => reattach(state, GATEWAY_HANDED_OUT_FAULT),
  },
  {
    name: NODE_LOCAL_IPAM_FAULT,
    description: 'each node allocates on its own, as host-local does: pods on different nodes get the same address',
    topologies: MACVLAN,
    apply: (state) => reattach(state, NODE_LOCAL_IPAM_FAULT),
  },
  {
    name: DEFAULT_ROUTE_FAULT,
    description: "the pods' default route goes via the VLAN gateway on net1 instead of Calico's 169.254.1.1",
    topologies: MACVLAN,
    apply: (state) => reattach(state, DEFAULT_ROUTE_FAULT),
  },
  {
    name: NAT_FAULT,
    description: 'the pods translate what leaves net1 to another address of the subnet',
    topologies: MACVLAN,
    apply: (state) => reattach(state, NAT_FAULT),
  },
  {
    name: 'eth2-addressed',
    description: "every node's eth2 was given an address on the VLAN (it must stay a bare parent)",
    topologies: MULTUS_TOPOLOGIES,
    apply: async (state) => {
      const vlan = routerAddresses(state.spec).find((address) => address.dev !== 'vlan10');
      if (!vlan) throw new Error("no router address on the nodes' eth2 VLAN");
      const subnet = parseCidr(vlan.cidr, { loose: true });
      await Promise.all(
        state.nodes.map((node, index) =>
          runBatch({ netns: node.netns, lines: [`addr add ${intToIp(subnet.base + 10 + index)}/${subnet.prefix} dev eth2`] }),
        ),
      );
    },
  },
  {
    name: 'vlan20-ports-crossed',
    description: "the switch's ports to the workers' eth2 are swapped against the topology file (eth5 and eth6)",
    topologies: MACVLAN,
    apply: async (state) => {
      await runBatch({
        netns: routerNetns(state.name),
        lines: [
          'link set eth5 down',
          'link set eth6 down',
          'link set eth5 name crossed5',
          'link set eth6 name eth5',
          'link set crossed5 name eth6',
          'link set eth5 up',
          'link set eth6 up',
        ],
      });
    },
  },
];
