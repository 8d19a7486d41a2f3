/**
 * kube-proxy's sync on the lab's nodes: the ruleset computed from the model's Services and
 * EndpointSlices, written with `iptables-restore --noflush` into each node's network namespace
 * (kube-proxy's own chains rewritten whole, stale KUBE-SVC/KUBE-SEP chains deleted), after the
 * jumps from the built-in chains were put in place once.
 *
 * Some faults of the catalogue are kube-proxy misbehaving; they are read here, from the lab's
 * fault list, so that every later sync (a pod replaced, a Service changed) misbehaves the same way.
 */
import { run, runChecked } from '../../exec/run.ts';
import { withKubeletReadiness } from '../kubelet/kubelet.ts';
import { endpointSlices, type LabNode, type LabState } from '../model.ts';
import { jumpRulesRestore, proxyRules, syncRestore, type ProxyInput } from './rules.ts';
import { FROZEN_FAULT, applyNodeProxyFaults, applyProxyFaults, proxyFaultNodes } from './faults.ts';

/** What kube-proxy on `node` sees and is configured with. */
export function proxyInputFor(state: LabState): ProxyInput {
  return {
    services: state.services ?? [],
    slices: endpointSlices(withKubeletReadiness(state)),
    clusterCIDR: state.spec.podSubnet,
  };
}

/** The NAT chains present on a node, from `iptables-save -t nat`. */
export function natChainsIn(iptablesSave: string): string[] {
  return iptablesSave
    .split('\n')
    .filter((line) => line.startsWith(':'))
    .map((line) => line.slice(1).split(' ')[0] ?? '');
}

async function inNode(node: LabNode, argv: string[], input?: string) {
  return runChecked(['ip', 'netns', 'exec', node.netns, ...argv], {
    where: `node ${node.name}`,
    ...(input === undefined ? {} : { input }),
  });
}

/** First sync on freshly wired nodes: the chains, then the jumps into them (kube-proxy prepends those). */
export async function startKubeProxy(state: LabState): Promise<void> {
  await syncKubeProxy(state, { force: true });
  await Promise.all(proxyFaultNodes(state).map((node) => inNode(node, ['iptables-restore', '-w', '--noflush'], jumpRulesRestore())));
}

/** A sync on every node kube-proxy runs on (all of them unless a fault says otherwise). */
export async function syncKubeProxy(state: LabState, { force = false } = {}): Promise<void> {
  if (!force && state.faults.includes(FROZEN_FAULT)) return;
  const input = applyProxyFaults(state, proxyInputFor(state));
  await Promise.all(
    proxyFaultNodes(state).map(async (node) => {
      const rules = proxyRules(applyNodeProxyFaults(state, node, input));
      const saved = await run(['ip', 'netns', 'exec', node.netns, 'iptables-save', '-t', 'nat'], { where: `node ${node.name}` });
      await inNode(node, ['iptables-restore', '-w', '--noflush'], syncRestore(rules, natChainsIn(saved.stdout)));
    }),
  );
}
