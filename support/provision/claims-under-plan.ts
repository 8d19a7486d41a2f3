/**
 * What `cluster:up --dry-run` says about the claims: the facts the planned cluster will show
 * (its pools' encapsulation, its workers; Kind puts every node on one Docker network, so
 * they share a subnet) judged by the same preconditions the run applies (support/preconditions/).
 */
import { fileURLToPath } from 'node:url';
import type { Encapsulation } from '../net/calico.ts';
import type { ClusterFacts } from '../preconditions/preconditions.ts';
import { claimPlan, scenariosOf } from '../preconditions/scenarios.ts';

const FEATURES = fileURLToPath(new URL('../../features/', import.meta.url));

export function planFacts(encapsulations: string[], workers: number): ClusterFacts {
  return { encapsulations: encapsulations as Encapsulation[], workers, nodesShareSubnet: true };
}

export async function renderClaimPlan(facts: ClusterFacts, featuresDir = FEATURES): Promise<string> {
  const plan = claimPlan(await scenariosOf(featuresDir), facts);
  const lines = [
    '',
    `# Claims on this cluster (pool encapsulation ${facts.encapsulations.join(', ')}, ${facts.workers} workers, one subnet):`,
    `#   run (${plan.runs.length}): ${plan.runs.join(' ')}`,
    `#   skipped (${plan.skipped.size}):${plan.skipped.size ? '' : ' none'}`,
    ...[...plan.skipped].map(([claim, why]) => `#     ${claim}: ${why}`),
  ];
  return lines.join('\n');
}
