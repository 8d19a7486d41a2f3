/**
 * BGP as part of the lab's life: the plan for a lab's state (each node's Calico address,
 * labels and blocks; the router's frr.conf), started at bring-up, re-rendered when a node's
 * labels change (what confd does when the Node resource changes).
 */
import { routerNetns } from '../naming.ts';
import type { LabState } from '../model.ts';
import { configureFrr } from './daemons.ts';
import { renderedConfigs, rerender, settle, startBgp, type BgpLabPlan } from './speakers.ts';

export function bgpPlanOf(state: LabState): BgpLabPlan | undefined {
  const bgp = state.spec.bgp;
  const routed = state.spec.routed;
  if (!bgp || !routed) return undefined;
  return {
    labName: state.name,
    objects: bgp.objects,
    nodes: state.nodes.map((node) => ({
      name: node.name,
      ip: node.calicoAddress.cidr.split('/')[0] as string,
      labels: node.labels ?? {},
      netns: node.netns,
      blocks: state.ipam.blocks.filter((block) => block.node === node.name).map((block) => block.cidr),
    })),
    router: { name: routed.router.node, netns: routerNetns(state.name), config: bgp.routerConfig },
  };
}

/** Starts the lab's BGP daemons, if its topology has BGP, and records their PIDs and convergence time. */
export async function startLabBgp(state: LabState): Promise<void> {
  const plan = bgpPlanOf(state);
  if (!plan) return;
  state.bgp = await startBgp(plan);
}

/** Sets or removes labels of a node (null removes), then lets every BIRD follow as confd would; resolves once BGP settles. */
export async function relabelNode(state: LabState, nodeName: string, changes: Record<string, string | null>): Promise<number> {
  const node = state.nodes.find((candidate) => candidate.name === nodeName);
  if (!node) throw new Error(`lab ${state.name} has no node ${nodeName}`);
  const before = bgpPlanOf(state);
  const configs = before && renderedConfigs(before);
  const labels = { ...(node.labels ?? {}) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  node.labels = labels;
  const after = bgpPlanOf(state);
  if (!configs || !after) return 0;
  return rerender(after, configs);
}

/** BGPConfiguration default's serviceLoadBalancerIPs changed: confd re-renders every BIRD; resolves once BGP settles. */
export async function setServiceLoadBalancerIPs(state: LabState, cidrs: string[]): Promise<number> {
  const before = bgpPlanOf(state);
  if (!before || !state.spec.bgp) throw new Error(`lab ${state.name} runs no BGP`);
  const configs = renderedConfigs(before); // rendered now: the plan shares the objects about to change
  state.spec.bgp.objects.configuration.serviceLoadBalancerIPs = [...cidrs];
  return rerender(bgpPlanOf(state) as BgpLabPlan, configs);
}

/** Applies FRR configuration lines on the router, then waits for BGP to settle. */
export async function configureRouter(state: LabState, lines: string[]): Promise<number> {
  const plan = bgpPlanOf(state);
  if (!plan) throw new Error(`lab ${state.name} runs no BGP`);
  await configureFrr(plan.labName, plan.router.name, lines);
  return settle(plan);
}
