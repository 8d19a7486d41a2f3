/**
 * kube-proxy misbehaving, as faults of the catalogue (support/lab/faults/faults.ts names them):
 * each one bends what a sync writes, so that it stays bent through later syncs.
 */
import { run, runChecked } from '../../exec/run.ts';
import type { Fault } from '../faults/fault.ts';
import type { LabNode, LabState } from '../model.ts';
import { JUMP_RULES, type ProxyInput } from './rules.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

/** The fault under which kube-proxy stopped following changes (its rules stay as they were). */
export const FROZEN_FAULT = 'kube-proxy-stale';

export const PROXY_FAULTS = {
  /** kube-proxy misses the endpoint on the last worker of every Service outside kube-system. */
  endpointMissing: 'service-endpoint-missing',
  /** kube-proxy runs as with --masquerade-all: every Service connection is masqueraded. */
  masqueradeAll: 'service-masquerade-all',
  /** kube-proxy writes 1/(i+1) instead of 1/(n-i): the first endpoint takes every connection. */
  probabilityReversed: 'service-probability-reversed',
  /** kube-proxy on the last node writes no `loadbalancer IP` rule. */
  loadBalancerRuleMissing: 'lb-rule-missing-on-one-node',
  /** kube-proxy writes KUBE-EXT chains without their masquerade rule. */
  externalWithoutMasquerade: 'kube-ext-no-masquerade',
  /** kube-proxy runs with --nodeport-addresses set to the Kind network: nodePorts answer on eth0's address only. */
  nodePortsOnKindNetworkOnly: 'nodeport-addresses-kind-network-only',
  /** kube-proxy does not run on the control-plane node. */
  notOnControlPlane: 'kube-proxy-not-on-control-plane',
} as const;

export interface BentInput extends ProxyInput {
  masqueradeAll?: boolean;
  probabilityReversed?: boolean;
}

export function applyProxyFaults(state: LabState, input: ProxyInput): BentInput {
  const faults = state.faults;
  const bent: BentInput = { ...input };
  if (faults.includes(PROXY_FAULTS.endpointMissing)) {
    const lastWorker = state.nodes.filter((node) => node.role === 'worker').at(-1)?.name;
    bent.slices = input.slices.map((slice) =>
      slice.namespace === 'kube-system'
        ? slice
        : { ...slice, endpoints: slice.endpoints.filter((endpoint) => endpoint.nodeName !== lastWorker) },
    );
  }
  if (faults.includes(PROXY_FAULTS.masqueradeAll)) bent.masqueradeAll = true;
  if (faults.includes(PROXY_FAULTS.probabilityReversed)) bent.probabilityReversed = true;
  if (faults.includes(PROXY_FAULTS.externalWithoutMasquerade)) bent.externalWithoutMasquerade = true;
  return bent;
}

/** What kube-proxy on one node writes differently (the lab's other nodes get the common rules). */
export function applyNodeProxyFaults(state: LabState, node: LabNode, input: BentInput): BentInput {
  let bent = input;
  if (state.faults.includes(PROXY_FAULTS.loadBalancerRuleMissing) && node.name === state.nodes.at(-1)?.name)
    bent = { ...bent, withoutLoadBalancerRules: true };
  if (state.faults.includes(PROXY_FAULTS.nodePortsOnKindNetworkOnly)) bent = { ...bent, nodePortAddresses: [node.ip] };
  return bent;
}

/** The nodes kube-proxy runs on. */
export function proxyFaultNodes(state: LabState): LabNode[] {
  if (state.faults.includes(PROXY_FAULTS.notOnControlPlane)) return state.nodes.filter((node) => node.role !== 'control-plane');
  return state.nodes;
}

/** Takes kube-proxy off a node: the jumps into its chains and the chains themselves go. */
export async function removeKubeProxy(node: LabNode): Promise<void> {
  const where = { where: `node ${node.name}` };
  for (const rule of JUMP_RULES) {
    await run(['ip', 'netns', 'exec', node.netns, 'iptables', '-w', '-t', rule.table, '-D', rule.chain, ...rule.args], where);
  }
  for (const table of ['nat', 'filter']) {
    const saved = await runChecked(['ip', 'netns', 'exec', node.netns, 'iptables-save', '-t', table], where);
    const chains = saved.stdout
      .split('\n')
      .filter((line) => line.startsWith(':KUBE-'))
      .map((line) => line.slice(1).split(' ')[0] as string);
    if (chains.length === 0) continue;
    const restore = [
      `*${table}`,
      ...chains.map((chain) => `:${chain} - [0:0]`),
      ...chains.map((chain) => `-X ${chain}`),
      'COMMIT',
      '',
    ].join('\n');
    await runChecked(['ip', 'netns', 'exec', node.netns, 'iptables-restore', '-w', '--noflush'], { ...where, input: restore });
  }
}

/** kube-proxy's faults for the catalogue: what a sync does wrong is read from the fault list (see applyProxyFaults). */
export const KUBE_PROXY_FAULTS: Fault[] = [
  {
    name: PROXY_FAULTS.endpointMissing,
    description: "kube-proxy leaves the endpoint on the last worker out of every Service's chain (outside kube-system)",
    apply: async () => {},
  },
  {
    name: PROXY_FAULTS.masqueradeAll,
    description:
      'kube-proxy runs with --masquerade-all: every connection to a ClusterIP is masqueraded, so backends see a node, not the client pod',
    apply: async () => {},
  },
  {
    name: PROXY_FAULTS.probabilityReversed,
    description: 'kube-proxy writes the statistic probabilities as 1/(i+1) instead of 1/(n-i): the first endpoint takes every connection',
    apply: async () => {},
  },
  {
    name: PROXY_FAULTS.externalWithoutMasquerade,
    description:
      'kube-proxy writes the KUBE-EXT chains without their masquerade rule: a connection from outside reaches the backend with its own source address',
    topologies: [TOPOLOGY.selectiveBgpPeering],
    apply: async () => {},
  },
  {
    name: PROXY_FAULTS.notOnControlPlane,
    description:
      'kube-proxy does not run on the control-plane node (its DaemonSet lacks the control-plane toleration): no Service rules there',
    apply: async (state) => {
      await Promise.all(state.nodes.filter((node) => node.role === 'control-plane').map(removeKubeProxy));
    },
  },
  {
    name: FROZEN_FAULT,
    description: 'kube-proxy stopped following Services and EndpointSlices: the rules stay as they were when the fault came',
    apply: async () => {},
  },
];
