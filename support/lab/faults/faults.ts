/**
 * Faults: realistic breakages of the lab that a learner or an operator meets, applied on
 * purpose so that a claim can be seen to turn red. Each one changes the kernel (and, where the
 * control plane would record it too, the lab's model); undoing rebuilds the lab from the
 * model as it was before the first fault.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCidr, intToIp, nthAddress, parseCidr } from '../../net/cidr.ts';
import { Ipam } from '../ipam/ipam.ts';
import { IPAM_LEAK_FAULT, cniAdd, cniDel } from '../cni/cni.ts';
import { execIn, runBatch } from '../kernel.ts';
import { findNode, type LabNode, type LabPod, type LabState } from '../model.ts';
import { fabricNetns } from '../naming.ts';
import { nodeLayerDir } from '../cni/node-fs.ts';
import { CALICO_GATEWAY } from '../../net/calico.ts';
import { resolvConf } from '../cni/wiring.ts';
import { gatewayOf } from '../topology/fabric.ts';
import { IPAM_FAULTS } from './ipam-faults.ts';
import { DNS_FAULTS } from '../dns/faults.ts';
import { KUBE_PROXY_FAULTS } from '../kube-proxy/faults.ts';
import { SERVICE_FAULTS } from '../services/faults.ts';
import { ROUTED_FAULTS } from './routed.ts';
import { MTU_FAULTS } from './mtu.ts';
import { MULTUS_FAULTS } from '../multus/faults.ts';
import { QOS_FAULTS } from './qos.ts';
import { BGP_FAULTS } from './bgp-faults.ts';
import { LB_FAULTS } from './lb-faults.ts';
import { WIREGUARD_FAULTS } from './wireguard.ts';
import type { Fault } from './fault.ts';

const networkedPods = (state: LabState) => state.pods.filter((pod) => !pod.hostNetwork);
const workers = (state: LabState) => state.nodes.filter((node) => node.role === 'worker');
const podsOn = (state: LabState, node: LabNode) => networkedPods(state).filter((pod) => pod.node === node.name);

function remoteBlocks(state: LabState, node: LabNode) {
  return state.ipam.blocks.filter((block) => block.node !== node.name);
}

async function eachNode(state: LabState, lines: (node: LabNode) => string[]): Promise<void> {
  await Promise.all(state.nodes.map((node) => runBatch({ netns: node.netns, lines: lines(node) })));
}

async function eachPod(state: LabState, lines: (pod: LabPod) => string[]): Promise<void> {
  await Promise.all(networkedPods(state).map((pod) => runBatch({ netns: pod.netns, lines: lines(pod) })));
}

/** The first pod of a workload on the first worker: the one scenarios pick for "a … pod on a worker node". */
function firstPodOnWorker(state: LabState, workload: string): LabPod {
  const worker = workers(state)[0];
  const pod = networkedPods(state).find((candidate) => candidate.workload === workload && candidate.node === worker?.name);
  if (!pod) throw new Error(`no ${workload} pod on a worker to break`);
  return pod;
}

export const FAULTS: Fault[] = [
  {
    name: 'snat',
    description: 'every node masquerades pod traffic leaving eth0 (SNAT of pod-to-pod traffic across nodes)',
    apply: (state) =>
      Promise.all(
        state.nodes.map((node) =>
          execIn(node.netns, [
            'iptables',
            '-t',
            'nat',
            '-A',
            'POSTROUTING',
            '-s',
            state.spec.pool.cidr,
            '-d',
            state.spec.pool.cidr,
            '-o',
            'eth0',
            '-j',
            'MASQUERADE',
          ]),
        ),
      ).then(() => undefined),
  },
  {
    name: 'pod-mtu-mismatch',
    description: "every pod's eth0 has MTU 1500 while its host interface keeps the pool's MTU",
    apply: (state) => eachPod(state, () => ['link set eth0 mtu 1500']),
  },
  {
    name: 'node-mtu-too-small',
    description: "the node network's MTU (1400) is too small for the pods' VXLAN-sized MTU",
    apply: async (state) => {
      await eachNode(state, () => ['link set eth0 mtu 1400']);
    },
  },
  {
    name: 'no-gateway-route',
    description: "pods have a device default route instead of the route via Calico's 169.254.1.1",
    apply: (state) =>
      eachPod(state, () => [
        `route del default via ${CALICO_GATEWAY} dev eth0`,
        `route del ${CALICO_GATEWAY} dev eth0`,
        'route add default dev eth0 scope link',
      ]),
  },
  {
    name: 'bridge-cni',
    description: "pods sit on a per-node bridge with a subnet address (a bridge CNI's layout) instead of routed /32s",
    apply: async (state) => {
      await Promise.all(
        state.nodes.map(async (node) => {
          const block = state.ipam.blocks.find((candidate) => candidate.node === node.name);
          if (!block) return;
          const cidr = parseCidr(block.cidr);
          const bridgeIP = nthAddress(cidr, cidr.size - 2);
          const pods = podsOn(state, node);
          await runBatch({
            netns: node.netns,
            lines: [
              'link add cni0 type bridge',
              `addr add ${bridgeIP}/${cidr.prefix} dev cni0`,
              'link set cni0 up',
              `route del blackhole ${block.cidr}`,
              ...pods.flatMap((pod) => [`route del ${pod.ip} dev ${pod.hostInterface}`, `link set ${pod.hostInterface} master cni0`]),
            ],
          });
          await Promise.all(
            pods.map((pod) =>
              runBatch({
                netns: pod.netns,
                // Add before delete: an interface that loses its last IPv4 address loses its routes too.
                lines: [
                  `addr add ${pod.ip}/${cidr.prefix} dev eth0`,
                  `addr del ${pod.ip}/32 dev eth0`,
                  `route replace default via ${bridgeIP} dev eth0`,
                  `route del ${CALICO_GATEWAY} dev eth0`,
                ],
              }),
            ),
          );
        }),
      );
    },
  },
  {
    name: 'extra-hop',
    description: 'nodes reach each other’s pods through a router (the node network’s gateway) instead of directly',
    apply: async (state) => {
      const router = fabricNetns(state.name);
      await eachNode(state, (node) =>
        remoteBlocks(state, node).map((block) => `route replace ${block.cidr} via ${gatewayOf(state)} dev eth0 proto 80 onlink`),
      );
      await execIn(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      await runBatch({
        netns: router,
        lines: state.ipam.blocks.map((block) => `route replace ${block.cidr} via ${findNode(state, block.node).ip} dev br0`),
      });
    },
  },
  {
    name: 'per-pod-routes',
    description: 'nodes hold a /32 route for every remote pod instead of one route per remote block',
    apply: (state) =>
      eachNode(state, (node) => [
        ...remoteBlocks(state, node).map((block) => `route del ${block.cidr}`),
        ...networkedPods(state)
          .filter((pod) => pod.node !== node.name)
          .map((pod) => `route add ${pod.ip}/32 via ${findNode(state, pod.node).ip} dev eth0 onlink`),
      ]),
  },
  {
    name: 'ip-outside-block',
    description: "one pod holds an address outside its node's block (a borrowed address)",
    apply: async (state) => {
      const pod = firstPodOnWorker(state, 'multitool-1');
      const lender = state.ipam.blocks.find((block) => block.node !== pod.node);
      if (!lender) throw new Error('no other node’s block to borrow from');
      const cidr = parseCidr(lender.cidr);
      const ordinal = cidr.size - 1;
      // Claimed in the lender's block too, so that nothing else is given the address.
      const ipam = Ipam.fromState(state.ipam);
      const block = ipam.blockOf(nthAddress(cidr, ordinal));
      if (block) {
        block.unallocated = block.unallocated.filter((candidate) => candidate !== ordinal);
        block.allocations[ordinal] = `${pod.namespace}/${pod.name}`;
      }
      state.ipam = ipam.toState();
      await readdress(state, pod, nthAddress(cidr, ordinal));
    },
  },
  {
    name: 'ip-outside-pool',
    description: 'the multitool pod holds an address from outside the Calico pool (a leftover of another IPAM)',
    // Kind's default pod subnet, as a host-local IPAM would have handed it out.
    apply: (state) => readdress(state, bareMultitool(state), '10.244.1.5'),
  },
  {
    name: 'macvlan-pod',
    description: "the multitool pod is attached by macvlan on the node's eth0 (a macvlan CNI), not by a veth pair",
    apply: async (state) => {
      const pod = bareMultitool(state);
      const node = findNode(state, pod.node);
      await runBatch({
        netns: node.netns,
        lines: ['link add link eth0 name mvpod type macvlan mode bridge', `link set mvpod netns ${pod.netns}`],
      });
      // Deleting eth0 takes its veth peer, the cali interface, and the host route along.
      await runBatch({
        netns: pod.netns,
        lines: [
          'link del eth0',
          'link set mvpod name eth0',
          `link set eth0 mtu ${state.mtu}`,
          'link set eth0 up',
          `addr add ${pod.ip}/32 dev eth0`,
          `route add ${CALICO_GATEWAY} dev eth0 scope link`,
          `route add default via ${CALICO_GATEWAY} dev eth0`,
        ],
      });
    },
  },
  {
    name: 'node-not-ready',
    description: 'a worker node is NotReady (its kubelet stopped reporting); its data plane still runs',
    apply: async (state) => {
      const node = workers(state).at(-1);
      if (!node) throw new Error('no worker node to take down');
      node.ready = false;
    },
  },
  {
    name: 'pod-not-ready',
    description: "the multitool pod's container fails its readiness check (0/1 ready)",
    apply: async (state) => {
      bareMultitool(state).ready = false;
    },
  },
  {
    name: 'no-control-plane-toleration',
    description: 'the DaemonSets do not tolerate the control-plane taint, so the control-plane runs none of their pods',
    apply: async (state) => {
      const dropped = networkedPods(state).filter(
        (pod) => pod.ownerKind === 'DaemonSet' && findNode(state, pod.node).role === 'control-plane',
      );
      for (const pod of dropped) await cniDel(state, pod);
    },
  },
  {
    name: 'duplicate-ip',
    description: 'two pods on different nodes hold the same address',
    apply: async (state) => {
      const original = firstPodOnWorker(state, 'multitool-1');
      const twin = networkedPods(state).find((pod) => pod.workload === 'multitool-2' && pod.node !== original.node);
      if (!twin) throw new Error('no pod on another node to duplicate the address onto');
      const twinNode = findNode(state, twin.node);
      await runBatch({ netns: twin.netns, lines: [`addr add ${original.ip}/32 dev eth0`, `addr del ${twin.ip}/32 dev eth0`] });
      await runBatch({
        netns: twinNode.netns,
        lines: [`route del ${twin.ip} dev ${twin.hostInterface}`, `route add ${original.ip} dev ${twin.hostInterface} scope link`],
      });
      twin.ip = original.ip;
    },
  },
  {
    name: 'no-host-route',
    description: 'nodes lost the /32 host routes to their pods',
    apply: (state) => eachNode(state, (node) => podsOn(state, node).map((pod) => `route del ${pod.ip} dev ${pod.hostInterface}`)),
  },
  {
    name: 'proxy-arp-off',
    description: 'proxy ARP is off on the host interfaces, so nothing answers for 169.254.1.1',
    apply: async (state) => {
      await Promise.all(
        state.nodes.map((node) => {
          const settings = podsOn(state, node).map((pod) => `net.ipv4.conf.${pod.hostInterface}.proxy_arp=0`);
          return settings.length ? execIn(node.netns, ['sysctl', '-qw', ...settings]) : undefined;
        }),
      );
      await eachPod(state, () => ['neigh flush dev eth0']);
    },
  },
  {
    name: 'wrong-dns',
    description: "pods' resolv.conf names a wrong DNS server and misses the namespace's search domain",
    apply: async (state) => {
      const wrongServer = intToIp(parseCidr(state.spec.serviceSubnet).base + 53);
      for (const pod of networkedPods(state)) {
        const text = resolvConf(state, pod)
          .replace(`nameserver ${state.dnsServiceIP}`, `nameserver ${wrongServer}`)
          .replace(`${pod.namespace}.svc.cluster.local `, '');
        writeFileSync(join('/etc/netns', pod.netns, 'resolv.conf'), text);
      }
    },
  },
  {
    name: 'veth-name-off-rule',
    description: "host interfaces are named like a bridge CNI's veths, not by Calico's rule",
    apply: async (state) => {
      await Promise.all(
        state.nodes.map((node) =>
          runBatch({
            netns: node.netns,
            lines: podsOn(state, node).flatMap((pod) => {
              const renamed = `veth${(pod.hostInterface ?? '').slice(4, 12)}`;
              return [
                `link set ${pod.hostInterface} down`,
                `link set ${pod.hostInterface} name ${renamed}`,
                `link set ${renamed} up`,
                `route replace ${pod.ip} dev ${renamed} scope link`,
              ];
            }),
          }),
        ),
      );
    },
  },
  {
    name: 'service-cidr-overlaps-pods',
    description: "the cluster's Service CIDR was set inside the pod pool (a kubeadm misconfiguration the API reports)",
    apply: async (state) => {
      state.spec.serviceSubnet = formatCidr({ ...parseCidr(state.spec.pool.cidr), prefix: 20, size: 2 ** 12 });
    },
  },
  {
    name: 'hostnetwork-ignored',
    description: 'the hostNetwork pod was given a network namespace and a pod IP of its own (hostNetwork dropped)',
    apply: async (state) => {
      const pod = state.pods.find((candidate) => candidate.hostNetwork);
      if (!pod) throw new Error('the lab has no hostNetwork pod to break');
      await cniDel(state, pod);
      await cniAdd(state, { namespace: pod.namespace, name: pod.name, node: pod.node, labels: pod.labels });
    },
  },
  {
    name: 'sidecar-own-netns',
    description: "the second container of the two-container pod runs in a network namespace of its own, not the pod's",
    apply: async (state) => {
      const pod = networkedPods(state).find((candidate) => candidate.containers.length > 1);
      const container = pod?.containers[1];
      if (!pod || !container) throw new Error('the lab has no pod with two containers to break');
      const netns = `${pod.netns}.${container}`;
      await runBatch({ netns: undefined, lines: [`netns add ${netns}`] });
      await runBatch({ netns, lines: ['link set lo up'] });
      pod.containerNetns = { [container]: netns };
    },
  },
  {
    name: IPAM_LEAK_FAULT,
    description: "CNI DEL removes a pod's interface and route but never releases its address (an IPAM leak)",
    // Nothing to change now: cniDel reads the fault list when a pod is deleted.
    apply: async () => {},
  },
  {
    name: 'stale-cni-config',
    description: "a leftover 00-bridge.conflist of another CNI sorts before Calico's configuration on every node",
    apply: async (state) => {
      for (const node of state.nodes)
        writeFileSync(join(nodeLayerDir(state.name, node.name), 'etc/cni/net.d/00-bridge.conflist'), STALE_BRIDGE_CONFLIST);
    },
  },
  {
    name: 'cni-plugin-missing',
    description: 'the calico-ipam plugin binary is missing from /opt/cni/bin on every node',
    apply: async (state) => {
      for (const node of state.nodes) rmSync(join(nodeLayerDir(state.name, node.name), 'opt/cni/bin/calico-ipam'), { force: true });
    },
  },
  {
    name: 'block-nearly-full',
    description: "one worker's block is more than 80% allocated (addresses leaked by pods long gone)",
    apply: async (state) => {
      const worker = workers(state)[0];
      const ipam = Ipam.fromState(state.ipam);
      const block = state.ipam.blocks.find((candidate) => candidate.node === worker?.name);
      if (!worker || !block) throw new Error('no worker block to fill');
      const target = Math.ceil(parseCidr(block.cidr).size * 0.85);
      for (let leaked = Object.keys(block.allocations).length; leaked < target; leaked++) ipam.assign(worker.name, `leaked/${leaked}`);
      state.ipam = ipam.toState();
    },
  },
  ...DNS_FAULTS,
  ...KUBE_PROXY_FAULTS,
  ...SERVICE_FAULTS,
  // Lessons 01, 09 and 16: IPAM, pod annotations, natOutgoing.
  ...IPAM_FAULTS,
  ...BGP_FAULTS,
  ...LB_FAULTS,
];

FAULTS.push(...ROUTED_FAULTS, ...MTU_FAULTS);
FAULTS.push(...MULTUS_FAULTS);
FAULTS.push(...WIREGUARD_FAULTS);
FAULTS.push(...QOS_FAULTS);

// A bridge CNI's configuration, as a previous install would leave it behind.
const STALE_BRIDGE_CONFLIST = `${JSON.stringify({ cniVersion: '0.3.1', name: 'bridge', plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', subnet: '10.244.0.0/16' } }] }, null, 2)}\n`;

/** The lesson 02 pod: the bare multitool pod. */
function bareMultitool(state: LabState): LabPod {
  const pod = networkedPods(state).find((candidate) => candidate.ownerKind === 'Pod' && candidate.workload === 'multitool');
  if (!pod) throw new Error('the lab has no bare multitool pod to break');
  return pod;
}

/**
 * Gives a running pod another address: the pod's eth0 and its node's host route change, and
 * every other node gets a /32 route to it (as Calico routes an address outside a node's blocks).
 */
async function readdress(state: LabState, pod: LabPod, ip: string): Promise<void> {
  const node = findNode(state, pod.node);
  // Add before delete: an interface that loses its last IPv4 address loses its routes too.
  await runBatch({ netns: pod.netns, lines: [`addr add ${ip}/32 dev eth0`, `addr del ${pod.ip}/32 dev eth0`] });
  await runBatch({
    netns: node.netns,
    lines: [`route del ${pod.ip} dev ${pod.hostInterface}`, `route add ${ip} dev ${pod.hostInterface} scope link`],
  });
  await eachNode(state, (each) => (each.name === node.name ? [] : [`route add ${ip}/32 via ${node.ip} dev eth0 onlink`]));
  pod.ip = ip;
}

export function findFault(name: string): Fault {
  const fault = FAULTS.find((candidate) => candidate.name === name);
  if (!fault) throw new UnknownFaultError(name);
  return fault;
}

export class UnknownFaultError extends Error {
  override readonly name = 'UnknownFaultError';
  constructor(requested: string) {
    super(`no fault named "${requested}"; the lab knows: ${FAULTS.map((fault) => fault.name).join(', ')}`);
  }
}
