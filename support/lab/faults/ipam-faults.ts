/**
 * Faults of Calico's IPAM, CNI annotations and natOutgoing (lessons 01, 09 and 16): each a
 * breakage an operator meets, so that every claim of those lessons can be seen to fail.
 */
import { blockAffinityName } from '../../net/calico.ts';
import { DEFAULT_TOPOLOGY, TOPOLOGY } from '../../topology/catalogue.ts';
import { formatCidr, parseCidr } from '../../net/cidr.ts';
import { execIn, runBatch, sysctl } from '../kernel.ts';
import { admitPod, cniDel, syncBlockRoutes } from '../cni/cni.ts';
import { blockRouteLine } from '../felix/routes.ts';
import { MASQ_POOLS_IPSET, NAT_OUTGOING_CHAIN, syncNatOutgoingIpsets } from '../felix/nat-outgoing.ts';
import { uniquePodName, type LabState } from '../model.ts';
import {
  DUPLICATE_FIXED_ADDRESS_FAULT,
  IGNORES_RESERVATIONS_FAULT,
  IP_ADDRS_APPLIED_LATE_FAULT,
  IP_ADDRS_IGNORED_FAULT,
  NAT_OUTGOING_IGNORES_POOL_FAULT,
  POOLS_ANNOTATION_IGNORED_FAULT,
  PROXY_ARP_OFF_FAULT,
  RESERVATION_NARROWED_FAULT,
} from './behaviours.ts';
import type { Fault } from './fault.ts';

const DEFAULT = DEFAULT_TOPOLOGY;
const STATIC_IP = TOPOLOGY.staticIp;
const MULTI_IPPOOL = TOPOLOGY.multiIppool;

const workers = (state: LabState) => state.nodes.filter((node) => node.role === 'worker');

/** Nothing to change now: the lab's CNI and IPAM read the fault list when the next pod comes. */
const behaviour = async () => {};

async function eachNodeExec(state: LabState, argv: string[]): Promise<void> {
  await Promise.all(state.nodes.map((node) => execIn(node.netns, argv)));
}

/** The first worker's first block, which the first worker's pods use. */
function firstWorkerBlock(state: LabState) {
  const worker = workers(state)[0];
  const block = state.ipam.blocks.find((candidate) => candidate.node === worker?.name);
  if (!worker || !block) throw new Error('no worker block to break');
  return { worker, block };
}

export const IPAM_FAULTS: Fault[] = [
  {
    name: 'nat-outgoing-off',
    description: 'Felix on the worker nodes does not program natOutgoing: pods there leave the cluster with their own address',
    // The workers only: CoreDNS (on the control-plane) still reaches its upstream, as in a cluster where one Felix lags.
    apply: (state) =>
      Promise.all(workers(state).map((node) => execIn(node.netns, ['iptables', '-t', 'nat', '-F', NAT_OUTGOING_CHAIN]))).then(
        () => undefined,
      ),
  },
  {
    name: 'nat-outgoing-everything',
    description: 'the natOutgoing rule lacks its "destination not in a pool" exclusion: pod-to-pod traffic across nodes is masqueraded too',
    apply: async (state) => {
      await eachNodeExec(state, ['iptables', '-t', 'nat', '-F', NAT_OUTGOING_CHAIN]);
      await eachNodeExec(state, [
        'iptables',
        '-t',
        'nat',
        '-A',
        NAT_OUTGOING_CHAIN,
        '-m',
        'set',
        '--match-set',
        MASQ_POOLS_IPSET,
        'src',
        '-j',
        'MASQUERADE',
        '--random-fully',
      ]);
    },
  },
  {
    name: NAT_OUTGOING_IGNORES_POOL_FAULT,
    description:
      "Felix masquerades every pool's traffic leaving the pools, natOutgoing or not: a pool without natOutgoing still leaves with the node's address",
    apply: async (state) => {
      // From now on, as long as the fault lasts (also after a pool's natOutgoing changes).
      const broken = { ...state, faults: [...state.faults, NAT_OUTGOING_IGNORES_POOL_FAULT] };
      await Promise.all(state.nodes.map((node) => syncNatOutgoingIpsets(broken, node)));
    },
  },
  {
    name: 'affinity-wrong-node',
    description:
      "the first worker's BlockAffinity names the other worker (a stale object left by a node rename), though the block's pods still run on the first",
    apply: async (state) => {
      const { worker, block } = firstWorkerBlock(state);
      const other = workers(state).find((node) => node !== worker) ?? state.nodes.find((node) => node !== worker);
      if (!other) throw new Error('no other node to point the affinity at');
      // The object keeps its name; its spec.node is what went wrong.
      block.affinityName = blockAffinityName(block.node, block.cidr);
      block.node = other.name;
    },
  },
  {
    name: 'affinity-legacy-name',
    description: 'BlockAffinities are named ipam-block-affinity-<cidr>, the rule of the lesson text, not the one Calico v3.30 uses',
    apply: async (state) => {
      for (const block of state.ipam.blocks) block.affinityName = `ipam-block-affinity-${block.cidr.replace(/[./]/g, '-')}`;
    },
  },
  {
    name: 'block-wrong-size',
    description: "the first worker's block is a /27 where the pool's blocks are /26 (a block left by a pool of another block size)",
    apply: async (state) => {
      const { block } = firstWorkerBlock(state);
      const wide = parseCidr(block.cidr);
      const narrow = { base: wide.base, prefix: wide.prefix + 1, size: wide.size / 2 };
      if (Object.keys(block.allocations).some((ordinal) => Number(ordinal) >= narrow.size))
        throw new Error(`block ${block.cidr} holds addresses beyond its first half`);
      const before = block.cidr;
      block.cidr = formatCidr(narrow);
      block.unallocated = block.unallocated.filter((ordinal) => ordinal < narrow.size);
      await Promise.all(
        state.nodes.map((node) =>
          runBatch({ netns: node.netns, lines: [`route del ${before}`, blockRouteLine(state, node, block.cidr, block.node)] }),
        ),
      );
    },
  },
  {
    name: 'pool-selector-drift',
    description: 'the default IPPool was edited after install (nodeSelector "!all()"), so it no longer is what the Installation declares',
    topologies: [DEFAULT, STATIC_IP, MULTI_IPPOOL],
    apply: async (state) => {
      const [pool] = state.spec.pools;
      if (!pool) throw new Error('no IP pool to edit');
      pool.nodeSelector = '!all()';
    },
  },
  {
    name: IGNORES_RESERVATIONS_FAULT,
    description: 'Calico IPAM hands out reserved addresses automatically (IPReservations ignored)',
    topologies: [STATIC_IP],
    apply: behaviour,
  },
  {
    name: RESERVATION_NARROWED_FAULT,
    description: 'the IPReservation applied reserves half the range its manifest lists (a mistyped prefix length)',
    topologies: [STATIC_IP],
    apply: behaviour,
  },
  {
    name: IP_ADDRS_IGNORED_FAULT,
    description: 'the CNI plugin ignores cni.projectcalico.org/ipAddrs and assigns an address automatically',
    topologies: [STATIC_IP],
    apply: behaviour,
  },
  {
    name: DUPLICATE_FIXED_ADDRESS_FAULT,
    description: 'Calico IPAM hands out a fixed address already held, so two pods get one address',
    topologies: [STATIC_IP],
    apply: behaviour,
  },
  {
    name: IP_ADDRS_APPLIED_LATE_FAULT,
    description: 'an ipAddrs annotation added to a running pod moves it to that address',
    topologies: [STATIC_IP],
    apply: behaviour,
  },
  {
    name: PROXY_ARP_OFF_FAULT,
    description: "the worker's cali interfaces, those of pods created from now on too, do not answer ARP for 169.254.1.1 (proxy_arp off)",
    topologies: [STATIC_IP],
    apply: async (state) => {
      const pods = state.pods.filter((pod) => !pod.hostNetwork);
      await Promise.all(
        state.nodes.map((node) =>
          sysctl(
            node.netns,
            pods.filter((pod) => pod.node === node.name).map((pod) => `net.ipv4.conf.${pod.hostInterface}.proxy_arp=0`),
          ),
        ),
      );
    },
  },
  {
    name: POOLS_ANNOTATION_IGNORED_FAULT,
    description: 'the CNI plugin ignores cni.projectcalico.org/ipv4pools and assigns from the pools selecting the node',
    topologies: [MULTI_IPPOOL],
    apply: behaviour,
  },
  {
    name: 'stray-secondary-pod',
    description: 'a multitool-1 pod took its address from the secondary pool (a stray ipv4pools annotation on its namespace)',
    topologies: [MULTI_IPPOOL],
    apply: async (state) => {
      const secondary = state.spec.pools[1];
      const workload = state.spec.workloads.find((candidate) => candidate.name === 'multitool-1');
      const old = state.pods.find((pod) => pod.workload === 'multitool-1' && pod.node === workers(state)[0]?.name);
      if (!secondary || !workload || !old) throw new Error('no secondary pool or multitool-1 pod to misplace');
      const blocksBefore = state.ipam.blocks.map((block) => block.cidr);
      await cniDel(state, old);
      const stray = {
        ...workload,
        annotations: { ...workload.annotations, 'cni.projectcalico.org/ipv4pools': JSON.stringify([secondary.name]) },
      };
      const pod = await admitPod(state, stray, uniquePodName(state, workload), old.node);
      if (!pod) throw new Error('the stray pod got no address');
      // The namespace's annotation, not the DaemonSet's template: the pod does not show it.
      delete pod.annotations['cni.projectcalico.org/ipv4pools'];
      await syncBlockRoutes(state, blocksBefore);
    },
  },
];
