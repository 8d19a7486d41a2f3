/**
 * The lab's BGP as a whole: BIRD on every node with the configuration confd would render from
 * the Calico objects, FRR on the router. Starting, re-rendering on a change (a label, a
 * BGPConfiguration) the way confd rewrites bird.conf and reloads BIRD, and waiting to settle.
 */
import type { CalicoBgpObjects } from '../../net/calico-bgp.ts';
import { renderBirdConfig } from './bird-config.ts';
import { waitForBgp } from './convergence.ts';
import { reconfigureBird, startBird, startFrr } from './daemons.ts';
import { sessionsOf, type BgpNodeIdentity } from './peers.ts';

export interface BgpLabNode extends BgpNodeIdentity {
  netns: string;
  /** The node's confirmed block affinities. */
  blocks: string[];
}

export interface BgpLabPlan {
  labName: string;
  objects: CalicoBgpObjects;
  nodes: BgpLabNode[];
  /** The router and its frr.conf. */
  router: { name: string; netns: string; config: string };
}

export function nodeBirdConfig(plan: BgpLabPlan, node: BgpLabNode): string {
  return renderBirdConfig({ node, blocks: node.blocks, objects: plan.objects, sessions: sessionsOf(plan.objects, node, plan.nodes) });
}

export interface BgpStarted {
  pids: number[];
  /** How long BGP took to settle once every daemon was up. */
  convergenceMs: number;
}

export async function startBgp(plan: BgpLabPlan): Promise<BgpStarted> {
  const pids = await startFrr(plan.labName, plan.router, plan.router.config);
  pids.push(...(await Promise.all(plan.nodes.map((node) => startBird(plan.labName, node, nodeBirdConfig(plan, node))))));
  // At bring-up every daemon starts at once, beside the other labs' bring-ups: a longer bound,
  // which costs nothing where BGP settles sooner.
  return { pids, convergenceMs: await settle(plan, BRING_UP_SETTLE_MS) };
}

const BRING_UP_SETTLE_MS = 60_000;

export function settle(plan: BgpLabPlan, timeoutMs?: number): Promise<number> {
  return waitForBgp({ labName: plan.labName, router: plan.router.name, nodes: plan.nodes }, timeoutMs);
}

/** confd's answer to any change: every node's bird.conf re-rendered, BIRD reloaded where it changed. */
export async function rerender(plan: BgpLabPlan, before: Map<string, string>): Promise<number> {
  await Promise.all(
    plan.nodes.map(async (node) => {
      const config = nodeBirdConfig(plan, node);
      if (before.get(node.name) !== config) await reconfigureBird(plan.labName, node, config);
    }),
  );
  return settle(plan);
}

/** The configurations as they are now, to pass to `rerender` after changing the plan. */
export function renderedConfigs(plan: BgpLabPlan): Map<string, string> {
  return new Map(plan.nodes.map((node) => [node.name, nodeBirdConfig(plan, node)]));
}
