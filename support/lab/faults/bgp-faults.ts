/**
 * Faults of BGP (lessons 07, 08, 10, 15): a Calico resource or the router's configuration
 * changed as an operator might get it wrong. Each changes the model (the API's objects, the
 * router's configuration file) first, then lets the daemons follow as they would on a cluster:
 * confd re-renders bird.conf and reloads BIRD; the router's operator types the line at its CLI.
 */
import { readFileSync } from 'node:fs';
import type { BgpPeer } from '../../net/calico-bgp.ts';
import { FRR_DAEMONS, waitUntil } from '../bgp/daemons.ts';
import { isRunning } from '../kernel.ts';
import { bgpPlanOf, configureRouter, relabelNode } from '../bgp/lab-bgp.ts';
import { renderedConfigs, rerender } from '../bgp/speakers.ts';
import type { LabState } from '../model.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

/** The BGP topologies of the lab. */
export const BGP_TOPOLOGIES = [TOPOLOGY.calicoBgp, TOPOLOGY.selectiveBgpPeering];
/** Lesson 10's topology: iBGP to a route-reflecting router, the pool advertised. */
export const REFLECTOR_TOPOLOGIES = [TOPOLOGY.calicoBgpIppool];
/** The topologies whose BGPPeer selects nodes by label, and whose nodes advertise a LoadBalancer range. */
export const SELECTIVE_TOPOLOGIES = [TOPOLOGY.selectiveBgpPeering];

function bgpOf(state: LabState) {
  if (!state.spec.bgp) throw new Error(`lab ${state.name} runs no BGP`);
  return state.spec.bgp;
}

/** Changes Calico's BGP objects, then re-renders every node's BIRD as confd would. */
async function changeObjects(state: LabState, change: (objects: NonNullable<LabState['spec']['bgp']>['objects']) => void): Promise<void> {
  const before = bgpPlanOf(state);
  const configs = before && renderedConfigs(before); // rendered now: the plan shares the objects about to change
  change(bgpOf(state).objects);
  const after = bgpPlanOf(state);
  if (configs && after) await rerender(after, configs);
}

const everyPeer = (state: LabState, change: (peer: BgpPeer) => void) => changeObjects(state, (objects) => objects.peers.forEach(change));

/** The router's `address-family ipv4 unicast` lines matching `pattern` removed, in its file and on the running router. */
async function removeRouterLines(state: LabState, pattern: RegExp): Promise<void> {
  const bgp = bgpOf(state);
  const as = /^router bgp (\d+)/m.exec(bgp.routerConfig)?.[1];
  const lines = bgp.routerConfig.split('\n').filter((line) => line.startsWith('  ') && pattern.test(line.trim())); // statements of the address family, not comments
  if (!as || lines.length === 0) throw new Error(`the router's configuration has no line like ${pattern} to remove`);
  bgp.routerConfig = bgp.routerConfig
    .split('\n')
    .filter((line) => !lines.includes(line))
    .join('\n');
  await configureRouter(state, [`router bgp ${as}`, 'address-family ipv4 unicast', ...lines.map((line) => `no ${line.trim()}`)]);
}

/**
 * Kills one of the lab's BGP daemons by the PID it was started with (FRR's daemons first, then
 * BIRD per node, as startBgp records them), as a crash would: SIGKILL, so the control socket
 * stays behind and refuses. Resolves once the process is gone.
 */
async function killDaemon(state: LabState, index: number, name: string): Promise<void> {
  const pid = state.bgp?.pids[index];
  const comm = pid === undefined ? '' : readComm(pid);
  if (pid === undefined || comm !== name)
    throw new Error(`lab ${state.name} has no running ${name} at its place ${index} (found ${comm || 'none'})`);
  process.kill(pid, 'SIGKILL');
  await waitUntil(`${name} (PID ${pid}) to be gone`, () => !isRunning(pid), 5_000);
}

function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export const BGP_FAULTS: Fault[] = [
  {
    name: 'bgp-peer-wrong-as',
    description: "every BGPPeer names AS 65099 instead of the router's: no session ever establishes (BIRD: Bad peer AS)",
    topologies: BGP_TOPOLOGIES,
    apply: (state) => everyPeer(state, (peer) => (peer.asNumber = 65099)),
  },
  {
    name: 'bgp-pool-exported',
    description: 'the default pool has disableBGPExport false: every node advertises its pod blocks to the router',
    topologies: BGP_TOPOLOGIES,
    apply: (state) => changeObjects(state, (objects) => objects.pools.forEach((pool) => (pool.disableBGPExport = false))),
  },
  {
    name: 'bgp-mesh-on',
    description: 'BGPConfiguration default leaves the node-to-node mesh on: every node also peers with every other node',
    topologies: BGP_TOPOLOGIES,
    apply: (state) => changeObjects(state, (objects) => (objects.configuration.nodeToNodeMeshEnabled = true)),
  },
  {
    name: 'router-no-network',
    description: "the router lost its `network` statement for the nodes' subnet: it advertises nothing to the nodes",
    topologies: BGP_TOPOLOGIES,
    apply: (state) => removeRouterLines(state, /^network /),
  },
  {
    name: 'bgp-selector-all',
    description: 'the BGPPeer selects all() nodes instead of the labelled ones: every node peers with the router',
    topologies: SELECTIVE_TOPOLOGIES,
    apply: (state) => everyPeer(state, (peer) => (peer.nodeSelector = 'all()')),
  },
  {
    name: 'bgp-lb-not-advertised',
    description: 'BGPConfiguration default lost serviceLoadBalancerIPs: no node advertises the LoadBalancer range',
    topologies: [...SELECTIVE_TOPOLOGIES, TOPOLOGY.calicoBgpLb],
    apply: (state) => changeObjects(state, (objects) => (objects.configuration.serviceLoadBalancerIPs = [])),
  },
  {
    name: 'bgp-peer-label-missing',
    description: 'worker2 lost its bgp-peer=true label (a Kind config without it): one speaker fewer',
    topologies: SELECTIVE_TOPOLOGIES,
    apply: async (state) => {
      const node = state.nodes.filter((candidate) => candidate.labels?.['bgp-peer'] === 'true').at(-1);
      if (!node) throw new Error('no node is labelled bgp-peer=true');
      await relabelNode(state, node.name, { 'bgp-peer': null });
    },
  },
  {
    name: 'router-unequal-paths',
    description:
      "an inbound policy on the router gives one node's routes another MED: its paths are no longer equal, so no ECMP whatever maximum-paths says",
    topologies: [...SELECTIVE_TOPOLOGIES, TOPOLOGY.calicoBgpLb],
    apply: async (state) => {
      const bgp = bgpOf(state);
      const plan = bgpPlanOf(state);
      const as = /^router bgp (\d+)/m.exec(bgp.routerConfig)?.[1];
      const group = /^ neighbor (\S+) peer-group$/m.exec(bgp.routerConfig)?.[1];
      const speaker = plan?.nodes.find((node) => Object.values(node.labels).length > 0) ?? plan?.nodes[1];
      if (!as || !group || !speaker) throw new Error("the router's configuration has no BGP peer group to put a policy on");
      await configureRouter(state, [
        `route-map PNL-UNEQUAL permit 10`,
        `match peer ${speaker.ip}`,
        'set metric 50',
        'exit',
        'route-map PNL-UNEQUAL permit 20',
        'exit',
        `router bgp ${as}`,
        'address-family ipv4 unicast',
        `neighbor ${group} route-map PNL-UNEQUAL in`,
      ]);
    },
  },
  {
    name: 'router-no-next-hop-self',
    description: 'the router reflects routes without next-hop-self: each node gets the other blocks via their nodes, not via the router',
    topologies: REFLECTOR_TOPOLOGIES,
    apply: (state) => removeRouterLines(state, /next-hop-self/),
  },
  {
    name: 'router-not-reflector',
    description: "the router does not treat the nodes as route-reflector clients: no node learns another node's block",
    topologies: REFLECTOR_TOPOLOGIES,
    apply: (state) => removeRouterLines(state, /route-reflector-client/),
  },
  {
    name: 'bgp-community-missing',
    description: 'BGPConfiguration default lost its prefixAdvertisements: block routes reach the router without their community',
    topologies: REFLECTOR_TOPOLOGIES,
    apply: (state) => changeObjects(state, (objects) => (objects.configuration.prefixAdvertisements = [])),
  },
  {
    name: 'router-strips-communities',
    description: "an inbound policy on the router strips the nodes' communities: block routes arrive without 65010:100",
    topologies: REFLECTOR_TOPOLOGIES,
    apply: async (state) => {
      const config = bgpOf(state).routerConfig;
      const as = /^router bgp (\d+)/m.exec(config)?.[1];
      const group = /^ neighbor (\S+) peer-group$/m.exec(config)?.[1];
      if (!as || !group) throw new Error("the router's configuration has no BGP peer group to put a policy on");
      await configureRouter(state, [
        'route-map PNL-STRIP permit 10',
        'set community none',
        'exit',
        `router bgp ${as}`,
        'address-family ipv4 unicast',
        `neighbor ${group} route-map PNL-STRIP in`,
      ]);
    },
  },
  {
    name: 'bgp-pool-not-exported',
    description: 'the pod pool has disableBGPExport true: no node advertises its blocks, so nobody learns a route to them',
    topologies: REFLECTOR_TOPOLOGIES,
    apply: (state) =>
      changeObjects(state, (objects) =>
        objects.pools.filter((pool) => !pool.allowedUses.includes('LoadBalancer')).forEach((pool) => (pool.disableBGPExport = true)),
      ),
  },
  {
    name: 'node-vlan-label-wrong',
    description: 'the node on VLAN 20 is labelled vlan=10: it peers with the router address of the other subnet',
    topologies: REFLECTOR_TOPOLOGIES,
    apply: async (state) => {
      const node = state.nodes.find((candidate) => candidate.labels?.vlan === '20');
      if (!node) throw new Error('no node is labelled vlan=20');
      await relabelNode(state, node.name, { vlan: '10' });
    },
  },
  {
    name: 'kubelet-node-ip-eth0',
    description:
      "every kubelet registers its node with its eth0 (Docker network) address instead of its eth1 address: the InternalIP is off the router's subnet",
    topologies: BGP_TOPOLOGIES,
    apply: async (state) => {
      for (const node of state.nodes) node.nodeIP = node.ip;
    },
  },
  {
    name: 'bird-dead',
    description: 'BIRD has crashed on the last worker: nothing answers its control socket, and the node runs no BGP session',
    topologies: [TOPOLOGY.calicoBgp],
    apply: async (state) => {
      const plan = bgpPlanOf(state);
      const worker = state.nodes.filter((node) => node.role === 'worker').at(-1);
      const index = plan?.nodes.findIndex((node) => node.name === worker?.name) ?? -1;
      if (index < 0) throw new Error(`lab ${state.name} runs no BIRD on a worker`);
      await killDaemon(state, FRR_DAEMONS.length + index, 'bird');
    },
  },
  {
    name: 'router-bgpd-dead',
    description: "the router's bgpd has crashed (zebra still runs): vtysh finds no bgpd, and the router holds no BGP session",
    topologies: [TOPOLOGY.calicoBgp],
    apply: (state) => killDaemon(state, FRR_DAEMONS.indexOf('bgpd'), 'bgpd'),
  },
];
