/**
 * Faults of the containerlab family of topologies (nodes on two subnets behind a router):
 * what breaks Felix's VXLAN CrossSubnet wiring or the router, as an operator meets it.
 */
import { setPoolEncapsulation } from './pool.ts';
import { nthAddress, parseCidr } from '../../net/cidr.ts';
import { runBatch, runBridgeBatch } from '../kernel.ts';
import type { LabNode, LabState } from '../model.ts';
import { routerNetns } from '../naming.ts';
import { blockRouteLines, vxlanDeviceLines, vxlanFdbLines, vxlanNeighbourLines, VXLAN_DEVICE } from '../felix/routes.ts';
import { nodeInterfaceAddresses, routerAddresses, sameSubnet } from '../topology/addresses.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

export const ROUTED_TOPOLOGIES = [TOPOLOGY.calicoOverlay];

/** The first worker, and the first worker on another subnet: the pair scenarios pick ("a worker node", "a worker node in another subnet"). */
function crossSubnetPair(state: LabState): [LabNode, LabNode] {
  const workers = state.nodes.filter((node) => node.role === 'worker');
  const near = workers[0];
  const far = workers.find((node) => near && !sameSubnet(node.calicoAddress, near.calicoAddress));
  if (!near || !far) throw new Error(`lab ${state.name} has no two workers on different subnets`);
  return [near, far];
}

const ownBlock = (state: LabState, node: LabNode) => state.ipam.blocks.filter((block) => block.node === node.name);

/** Felix's whole VXLAN wiring of every node again, from the (changed) model: device, neighbours, routes, FDB. */
async function reprogramFelix(state: LabState): Promise<void> {
  await Promise.all(
    state.nodes.map(async (node) => {
      await runBatch({
        netns: node.netns,
        lines: [
          `link del ${VXLAN_DEVICE}`,
          ...vxlanDeviceLines(state, node),
          ...vxlanNeighbourLines(state, node),
          ...blockRouteLines(state, node),
        ],
      });
      await runBridgeBatch({ netns: node.netns, lines: vxlanFdbLines(state, node) });
    }),
  );
}

export const ROUTED_FAULTS: Fault[] = [
  {
    name: 'vxlan-fdb-missing',
    description: 'the first worker lost the FDB entry of the worker on the other subnet: VXLAN frames for it have nowhere to go',
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      const [near, far] = crossSubnetPair(state);
      await runBridgeBatch({
        netns: near.netns,
        lines: [`fdb del ${far.tunnelMac} dev ${VXLAN_DEVICE} dst ${far.calicoAddress.cidr.split('/')[0]} self`],
      });
    },
  },
  {
    name: 'vxlan-neighbour-missing',
    description: "the first worker lost the permanent neighbour entry of the other subnet's worker's tunnel address",
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      const [near, far] = crossSubnetPair(state);
      await runBatch({ netns: near.netns, lines: [`neigh del ${far.tunnelIP} dev ${VXLAN_DEVICE}`] });
    },
  },
  {
    name: 'tunnel-host-route',
    description:
      "the first worker holds a host route to the other subnet's worker's tunnel address on vxlan.calico, which Felix programs only for a borrowed tunnel address",
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      const [near, far] = crossSubnetPair(state);
      await runBatch({ netns: near.netns, lines: [`route add ${far.tunnelIP}/32 dev ${VXLAN_DEVICE} scope link`] });
    },
  },
  {
    name: 'cross-subnet-native',
    description:
      "the first worker routes the other subnet's worker's block natively through the router, which has no route for pods and drops it",
    topologies: [...ROUTED_TOPOLOGIES, TOPOLOGY.mtuLab],
    apply: async (state) => {
      const [near, far] = crossSubnetPair(state);
      const gateway = routerAddresses(state.spec).find((address) => sameSubnet(address, near.calicoAddress));
      if (!gateway) throw new Error('the router has no address on the first worker’s subnet');
      await runBatch({
        netns: near.netns,
        lines: ownBlock(state, far).map(
          (block) => `route replace ${block.cidr} via ${gateway.cidr.split('/')[0]} dev ${near.calicoAddress.dev} proto 80`,
        ),
      });
    },
  },
  {
    name: 'wrong-vxlan-mtu',
    description: 'vxlan.calico is at 1500 on every node, as large as the host interface it rides on',
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      await Promise.all(state.nodes.map((node) => runBatch({ netns: node.netns, lines: [`link set ${VXLAN_DEVICE} mtu 1500`] })));
    },
  },
  {
    name: 'autodetect-first-found',
    description:
      'the Installation lost nodeAddressAutodetectionV4: Calico takes the first address it finds, eth0 on the Kind network, for every node',
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      state.spec.nodeAddressCidrs = undefined;
      for (const node of state.nodes)
        node.calicoAddress = nodeInterfaceAddresses(state.spec, node.name, node.ip)[0] as LabNode['calicoAddress'];
      await reprogramFelix(state);
    },
  },
  {
    name: 'pool-vxlan-always',
    description: 'the IP pool is set to vxlanMode Always: pod traffic within a subnet is encapsulated too',
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      setPoolEncapsulation(state, 'VXLAN');
      await reprogramFelix(state);
    },
  },
  {
    name: 'router-routes-pods',
    description: 'the router was given a static route for the whole pod pool towards the lone worker',
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      const [, far] = crossSubnetPair(state);
      await runBatch({
        netns: routerNetns(state.name),
        lines: [`route add ${state.spec.pool.cidr} via ${far.calicoAddress.cidr.split('/')[0]}`],
      });
    },
  },
  {
    name: 'leftover-tunnel-address',
    description: "the first worker's vxlan.calico keeps a second address, left over from an earlier allocation",
    topologies: ROUTED_TOPOLOGIES,
    apply: async (state) => {
      const [near] = crossSubnetPair(state);
      const block = ownBlock(state, near)[0];
      if (!block) throw new Error('the first worker has no block');
      const cidr = parseCidr(block.cidr);
      await runBatch({ netns: near.netns, lines: [`addr add ${nthAddress(cidr, cidr.size - 2)}/32 dev ${VXLAN_DEVICE}`] });
    },
  },
];
