/** `npm run lab:status`: the lab's nodes, blocks and pods, laid out like kubectl's wide output. */
import { formatTable } from '../cli/table.ts';
import { Ipam } from './ipam/ipam.ts';
import { containerStatus } from './kubelet/kubelet.ts';
import { internalIPOf, type LabPod, type LabState } from './model.ts';

export function formatLabStatus(state: LabState): string {
  const nodes = formatTable(
    ['NAME', 'STATUS', 'ROLES', 'INTERNAL-IP', 'TUNNEL-IP', 'NETNS'],
    state.nodes.map((node) => [
      node.name,
      'Ready',
      node.role === 'control-plane' ? 'control-plane' : '<none>',
      internalIPOf(node),
      node.tunnelIP ?? '<none>',
      node.netns,
    ]),
  );
  const blocks = formatTable(
    ['BLOCK', 'NODE', 'ALLOCATED'],
    Ipam.fromState(state.ipam)
      .view()
      .map((block) => [block.cidr, block.node ?? '<none>', String(block.allocations.length)]),
  );
  const pods = formatTable(
    ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'IP', 'NODE', 'HOST-INTERFACE'],
    state.pods.map((pod) => [
      pod.namespace,
      pod.name,
      ...kubeletColumns(state.name, pod),
      pod.ip,
      pod.node,
      pod.hostInterface ?? '<host network>',
    ]),
  );
  const faults = state.faults.length > 0 ? `\nfaults applied: ${state.faults.join(', ')}` : '';
  return `lab ${state.name} (pool ${state.spec.pool.cidr}, /${state.spec.pool.blockSize} blocks, ${state.spec.pool.encapsulation}, MTU ${state.mtu}, DNS ${state.dnsServiceIP})${faults}\n\n${nodes}\n\n${blocks}\n\n${pods}`;
}

/** READY, STATUS and RESTARTS as kubectl shows them, from what the lab's kubelet reports. */
function kubeletColumns(labName: string, pod: LabPod): [string, string, string] {
  const statuses = pod.containers.map((name) => containerStatus(labName, pod, name));
  const ready = statuses.filter((status) => pod.ready !== false && status?.ready !== false).length;
  const waiting = statuses.find((status) => status?.waiting)?.waiting;
  const restarts = statuses.reduce((sum, status) => sum + (status?.restartCount ?? 0), 0);
  return [`${ready}/${pod.containers.length}`, waiting ?? 'Running', String(restarts)];
}

/**
 * What to say when no lab has this name. A run names its labs `<name>-<topology>` beside `<name>`
 * (the default topology's), so a short name often means one of those: they are listed, with the
 * two ways to name one.
 */
export function noLabNamed(name: string, running: string[]): string {
  const under = running.filter((other) => other.startsWith(`${name}-`)).sort();
  const first = under[0];
  if (first === undefined) return `no embedded lab named ${name} is running (npm run lab:status lists those that are)`;
  return `no embedded lab named ${name} is running, but a run named so brought up ${under.join(', ')}: name one in full (--name ${first}) or by its topology (--name ${name} --topology ${first.slice(name.length + 1)})`;
}
