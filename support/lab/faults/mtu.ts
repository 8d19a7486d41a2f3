/**
 * Faults of lesson 18's topology (mtu-lab): MTUs that do not match, and path MTU discovery
 * that works where the lesson says it must not, or fails where it must work.
 */
import { endProcess, execIn, runBatch } from '../kernel.ts';
import { startApiServer } from '../servers/apiserver.ts';
import type { LabState } from '../model.ts';
import { routerNetns } from '../naming.ts';
import { cniAdd, cniDel } from '../cni/cni.ts';
import { VXLAN_MTU_STUCK_FAULT } from '../felix/routes.ts';
import { routerAddresses, sameSubnet } from '../topology/addresses.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

const MTU_LAB = [TOPOLOGY.mtuLab];

function pod(state: LabState, name: string) {
  const found = state.pods.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`lab ${state.name} has no pod ${name}`);
  return found;
}

export const MTU_FAULTS: Fault[] = [
  {
    name: 'eth1-not-jumbo',
    description: "the nodes' eth1 were left at 1500 (deploy.sh's jumbo-frame step did not run)",
    topologies: MTU_LAB,
    apply: async (state) => {
      await Promise.all(state.nodes.map((node) => runBatch({ netns: node.netns, lines: ['link set eth1 mtu 1500'] })));
    },
  },
  {
    name: 'router-vlan-1500',
    description:
      "the router's interface on the lone worker's subnet is at 1500 from the start (the lesson's misconfiguration, never fixed)",
    topologies: MTU_LAB,
    apply: async (state) => {
      const far = state.nodes
        .filter((node) => node.role === 'worker')
        .find((node) => !state.nodes.some((other) => other !== node && sameSubnet(other.calicoAddress, node.calicoAddress)));
      const svi = routerAddresses(state.spec).find((address) => far && sameSubnet(address, far.calicoAddress));
      if (!svi) throw new Error("no router interface on the lone worker's subnet");
      await runBatch({ netns: routerNetns(state.name), lines: [`link set ${svi.dev} mtu 1500`] });
    },
  },
  {
    name: 'router-port-1500',
    description:
      "the router's port to the lone worker is at 1500 while its VLAN interface says 9000: larger frames are dropped without a word",
    topologies: MTU_LAB,
    apply: async (state) => {
      const far = state.nodes
        .filter((node) => node.role === 'worker')
        .find((node) => !state.nodes.some((other) => other !== node && sameSubnet(other.calicoAddress, node.calicoAddress)));
      const link = state.spec.routed?.links.find((candidate) => candidate.node === far?.name);
      if (!link) throw new Error('no router port to the lone worker');
      await runBatch({ netns: routerNetns(state.name), lines: [`link set ${link.routerIface} mtu 1500`] });
    },
  },
  {
    name: 'ip-no-pmtu-disc',
    description:
      'the control-plane sends without DF (net.ipv4.ip_no_pmtu_disc=1): the router fragments its segments instead of answering "fragmentation needed"',
    topologies: MTU_LAB,
    apply: async (state) => {
      const controlPlane = state.nodes.find((node) => node.role === 'control-plane');
      if (!controlPlane) return;
      await execIn(controlPlane.netns, ['sysctl', '-qw', 'net.ipv4.ip_no_pmtu_disc=1']);
      // Sockets take the setting when they are made: the API server starts again under it.
      if (state.apiServerPid) await endProcess(state.apiServerPid);
      state.apiServerPid = await startApiServer(state);
    },
  },
  {
    name: 'router-icmp-from-svi',
    description: 'the router sources its ICMP errors from the interface facing the sender, so strict reverse-path filtering lets them in',
    topologies: MTU_LAB,
    apply: async (state) => {
      await runBatch({
        netns: routerNetns(state.name),
        lines: routerAddresses(state.spec)
          .filter((address) => address.dev.startsWith('vlan'))
          .map(
            (address) =>
              `route replace ${address.cidr.replace(/\.\d+\//, '.0/')} dev ${address.dev} proto kernel scope link src ${address.cidr.split('/')[0]}`,
          ),
      });
    },
  },
  {
    name: 'router-blocks-icmp',
    description: 'the router sends no ICMP "fragmentation needed" (a filter drops it): path MTU discovery is blocked whatever the nodes do',
    topologies: MTU_LAB,
    apply: async (state) => {
      await execIn(routerNetns(state.name), [
        'iptables',
        '-A',
        'OUTPUT',
        '-p',
        'icmp',
        '--icmp-type',
        'fragmentation-needed',
        '-j',
        'DROP',
      ]);
    },
  },
  {
    name: 'client-mtu-9000',
    description: "the client pod's eth0 was set to 9000 by hand, above its host side's 1450",
    topologies: MTU_LAB,
    apply: async (state) => {
      await runBatch({ netns: pod(state, 'netshoot-client').netns, lines: ['link set eth0 mtu 9000'] });
    },
  },
  {
    name: VXLAN_MTU_STUCK_FAULT,
    description: "Felix does not follow the Installation's MTU: vxlan.calico keeps its old MTU while new pods get the new one",
    topologies: MTU_LAB,
    // Nothing to change now: labSetInstallationMtu reads the fault list.
    apply: async () => {},
  },
  {
    name: 'server-beside-client',
    description: "the netshoot server was scheduled in the client's subnet (its affinity ignored)",
    topologies: MTU_LAB,
    apply: async (state) => {
      const server = pod(state, 'netshoot-server');
      const client = pod(state, 'netshoot-client');
      const clientNode = state.nodes.find((node) => node.name === client.node);
      const beside = state.nodes.find(
        (node) =>
          node.role === 'worker' && node.name !== client.node && clientNode && sameSubnet(node.calicoAddress, clientNode.calicoAddress),
      );
      if (!beside) throw new Error("no other worker in the client's subnet");
      await cniDel(state, server);
      await cniAdd(state, { namespace: server.namespace, name: server.name, node: beside.name, labels: server.labels });
    },
  },
];
