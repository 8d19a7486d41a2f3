/**
 * Faults of lesson 13's topology (wireguard): a WireGuard that Felix programs wrongly (a stale
 * peer key, no mark rule, the TUN's own MTU, a block missing from the allowed IPs, no interface
 * address, a rule left behind), an operator that reverts the learner's patch, and the
 * workloads in the wrong place or stopped. The behaviours are read by felix/wireguard.ts and
 * lab.ts when WireGuard is turned on or off; the others change the lab at once.
 */
import { runChecked } from '../../exec/run.ts';
import { cniAdd, cniDel } from '../cni/cni.ts';
import { WIREGUARD_BEHAVIOUR_FAULTS, WIREGUARD_FWMARK, WIREGUARD_RULE_PRIORITY, WIREGUARD_TABLE } from '../felix/wireguard.ts';
import { runBatch } from '../kernel.ts';
import type { LabPod, LabState } from '../model.ts';
import { OPERATOR_REVERTS_FELIX_FAULT } from './behaviours.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

const WIREGUARD_LAB = [TOPOLOGY.wireguard];

function pod(state: LabState, name: string): LabPod {
  const found = state.pods.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`lab ${state.name} has no pod ${name}`);
  return found;
}

/** Read when WireGuard is turned on or off: nothing to change now. */
const behaviour = async (): Promise<void> => {};

export const WIREGUARD_FAULTS: Fault[] = [
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.staleKey,
    description: "the client's node keeps an old public key for the backend's node: their handshake never completes",
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.noRule,
    description: 'Felix never adds the rule "not fwmark … lookup 1": table 1 is never consulted and pod traffic leaves in clear',
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.wrongMtu,
    description: "Felix leaves wireguard.cali at wireguard-go's own 1420 instead of eth0's 1500 less 60",
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.missingBlock,
    description: "every node's peer for the backend's node lacks that node's block (allowed IPs and table 1 hold only its /32s)",
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.noAddress,
    description: 'calico-node records an interface address for wireguard.cali, but Felix never puts it on the device',
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: WIREGUARD_BEHAVIOUR_FAULTS.notTornDown,
    description: 'the mark rule of an earlier WireGuard was left on the first worker, and turning WireGuard off leaves every rule in place',
    topologies: WIREGUARD_LAB,
    apply: async (state) => {
      const worker = state.nodes.find((node) => node.role === 'worker');
      if (!worker) throw new Error(`lab ${state.name} has no worker`);
      const mark = `0x${WIREGUARD_FWMARK.toString(16)}`;
      await runBatch({
        netns: worker.netns,
        lines: [`rule add priority ${WIREGUARD_RULE_PRIORITY} not fwmark ${mark}/${mark} table ${WIREGUARD_TABLE}`],
      });
    },
  },
  {
    name: OPERATOR_REVERTS_FELIX_FAULT,
    description: "the operator puts FelixConfiguration default back as it wrote it: the learner's patch is lost and Felix never sees it",
    topologies: WIREGUARD_LAB,
    apply: behaviour,
  },
  {
    name: 'frontend-beside-backend',
    description: "the frontend-client's required anti-affinity was ignored: it runs on the backend's node",
    topologies: WIREGUARD_LAB,
    apply: async (state) => {
      const client = pod(state, 'frontend-client');
      const backend = pod(state, 'backend-api');
      await cniDel(state, client);
      await cniAdd(state, { namespace: client.namespace, name: client.name, node: backend.node, labels: client.labels });
    },
  },
  {
    name: 'backend-stopped',
    description: "the backend-api's server exited: nothing listens on 8080 in its pod",
    topologies: WIREGUARD_LAB,
    apply: async (state) => {
      const backend = pod(state, 'backend-api');
      // The lab started it; it is the only process in the pod's namespace.
      const listing = await runChecked(['ip', 'netns', 'pids', backend.netns], { where: `pod ${backend.name}` });
      for (const pid of listing.stdout.split('\n').filter(Boolean).map(Number)) process.kill(pid, 'SIGKILL');
      await runChecked(['ip', 'netns', 'exec', backend.netns, 'sh', '-c', 'while ss -Hltn | grep -q .; do sleep 0.05; done'], {
        where: `pod ${backend.name}`,
      });
    },
  },
  {
    name: 'backend-mirrored-to-eth0',
    description: "a traffic mirror left on the backend's host interface copies every packet it sends to the node's eth0",
    topologies: WIREGUARD_LAB,
    apply: async (state) => {
      const backend = pod(state, 'backend-api');
      const node = state.nodes.find((candidate) => candidate.name === backend.node);
      if (!node || !backend.hostInterface) throw new Error(`pod ${backend.name} has no host interface to mirror`);
      const iface = backend.hostInterface;
      await runChecked(['ip', 'netns', 'exec', node.netns, 'tc', 'qdisc', 'add', 'dev', iface, 'ingress'], { where: node.name });
      await runChecked(
        [
          'ip',
          'netns',
          'exec',
          node.netns,
          'tc',
          'filter',
          'add',
          'dev',
          iface,
          'parent',
          'ffff:',
          'protocol',
          'ip',
          'u32',
          'match',
          'u32',
          '0',
          '0',
          'action',
          'mirred',
          'egress',
          'mirror',
          'dev',
          'eth0',
        ],
        { where: node.name },
      );
    },
  },
];
