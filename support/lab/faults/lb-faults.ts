/**
 * Faults of lesson 08's LoadBalancer Services (and lesson 15's): Calico's LoadBalancer IPAM, kube-proxy's
 * rules for the address, the router's routes and the pod network's encapsulation, each broken as an
 * operator might get it wrong, so that every L08 claim (and L15-06, L15-08) can be seen to fail.
 */
import { setPoolEncapsulation } from './pool.ts';
import { Ipam, LOAD_BALANCER_NODE } from '../ipam/ipam.ts';
import { runBatch } from '../kernel.ts';
import { blockRouteLines } from '../felix/routes.ts';
import { configureRouter } from '../bgp/lab-bgp.ts';
import { PROXY_FAULTS } from '../kube-proxy/faults.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

/** Lesson 08's topology. */
export const LB_TOPOLOGIES = [TOPOLOGY.calicoBgpLb];
/** The topologies with a LoadBalancer Service advertised by BGP. */
export const LB_SERVICE_TOPOLOGIES = [TOPOLOGY.calicoBgpLb, TOPOLOGY.selectiveBgpPeering, TOPOLOGY.calicoBgpIppool];

export const LB_FAULTS: Fault[] = [
  {
    name: 'lb-ip-not-assigned',
    description:
      "the LoadBalancer pool has assignmentMode Manual: Calico's LoadBalancer IPAM gives lb-nginx-service no address, and kube-proxy has no loadbalancer IP rule",
    topologies: LB_SERVICE_TOPOLOGIES,
    apply: async (state) => {
      const manual = (pool: { allowedUses: string[]; assignmentMode?: 'Automatic' | 'Manual' }) => {
        if (pool.allowedUses.includes('LoadBalancer')) pool.assignmentMode = 'Manual';
      };
      state.spec.pools.forEach(manual);
      const ipam = Ipam.fromState(state.ipam);
      for (const service of state.services) {
        if (!service.loadBalancerIP) continue;
        ipam.release(service.loadBalancerIP);
        delete service.loadBalancerIP;
      }
      state.ipam = ipam.toState();
    },
  },
  {
    name: PROXY_FAULTS.loadBalancerRuleMissing,
    description:
      "kube-proxy on the last node writes no `loadbalancer IP` rule: that node does not translate the Service's LoadBalancer address",
    topologies: LB_SERVICE_TOPOLOGIES,
    apply: async () => {},
  },
  {
    name: PROXY_FAULTS.nodePortsOnKindNetworkOnly,
    description:
      "kube-proxy runs with --nodeport-addresses 172.18.0.0/16, the Kind network: a Service's nodePort answers on each node's eth0 address only, not on the eth1 address the router reaches",
    topologies: LB_TOPOLOGIES,
    apply: async () => {},
  },
  {
    name: 'lb-block-affine-to-a-node',
    description:
      "the LoadBalancer pool's block is recorded as a host block of the first node, not as kube-controllers' virtual load-balancer block",
    topologies: [TOPOLOGY.calicoBgpIppool],
    apply: async (state) => {
      const node = state.nodes[0]?.name;
      if (!node) throw new Error(`lab ${state.name} has no node`);
      for (const block of state.ipam.blocks) if (block.node === LOAD_BALANCER_NODE) block.node = node;
    },
  },
  {
    name: 'router-service-cidr-route',
    description:
      "the router's operator added a static route for the Service CIDR via the first node: ClusterIPs are reachable from outside",
    topologies: LB_TOPOLOGIES,
    apply: async (state) => {
      const address = state.nodes[0]?.calicoAddress.cidr;
      if (!address) throw new Error(`lab ${state.name} has no node`);
      await configureRouter(state, [`ip route ${state.spec.serviceSubnet} ${address.split('/')[0]}`]);
    },
  },
  {
    name: 'pod-pool-vxlan-always',
    description: 'the pod pool has vxlanMode Always instead of CrossSubnet: traffic between nodes of one subnet is encapsulated in VXLAN',
    topologies: LB_TOPOLOGIES,
    apply: async (state) => {
      setPoolEncapsulation(state, 'VXLAN');
      const first = state.spec.pools[0];
      if (first) first.encapsulation = 'VXLAN';
      await Promise.all(state.nodes.map((node) => runBatch({ netns: node.netns, lines: blockRouteLines(state, node) })));
    },
  },
];
