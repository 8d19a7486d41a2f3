/**
 * What a topology promises a scenario, and whether a live cluster keeps that promise. On the
 * kind target the user brings one cluster; a scenario written for another topology (four
 * nodes on two subnets behind a router, say) is skipped with the reason, never failed and
 * never passed.
 */
import type { NodeInfo } from './domain.ts';
import type { Cluster } from './cluster/cluster.ts';
import { CLAB_TOPOLOGY_FILE, type LabSpec } from './lab/spec.ts';
import { subnetOf } from './topology/clab.ts';
import { nodeSubnets } from './lab/topology/addresses.ts';
import { routerTarget } from './subjects.ts';

export interface TopologyFacts {
  controlPlanes: number;
  workers: number;
  /**
   * The subnets of the nodes' Calico addresses. For the containerlab family the VLAN subnets
   * themselves (10.10.10.0/24, 10.10.20.0/24); for a Kind network, `undefined` subnets and
   * only their count, one (Docker picks the network's range).
   */
  subnets: string[] | undefined;
  subnetCount: number;
  /** Whether the topology has a router the scenarios talk to. */
  router: boolean;
}

export function expectedFacts(spec: Pick<LabSpec, 'nodes' | 'nodeNetwork' | 'routed'>): TopologyFacts {
  const subnets = spec.routed ? nodeSubnets(spec).sort() : undefined;
  return {
    controlPlanes: spec.nodes.filter((node) => node.role === 'control-plane').length,
    workers: spec.nodes.filter((node) => node.role === 'worker').length,
    subnets,
    subnetCount: subnets?.length ?? 1,
    router: spec.routed !== undefined,
  };
}

export interface ObservedFacts extends TopologyFacts {
  missingAddresses: string[];
  /** Why the router does not answer (its container is missing, say), when it does not. */
  routerProblem?: string;
}

/** The facts of a live cluster: its nodes' roles, the subnets of Calico's node addresses, whether the router answers. */
export async function observedFacts(cluster: Cluster, router: { name: string } | undefined): Promise<ObservedFacts> {
  const nodes = await cluster.nodes();
  const subnets = [...new Set(nodes.flatMap((node) => (node.calico?.ipv4Address ? [subnetOf(node.calico.ipv4Address)] : [])))].sort();
  let reachable = false;
  let routerProblem: string | undefined;
  if (router) {
    // The kind target reaches a router by docker exec only: a missing container is an error naming it.
    const result = await cluster
      .exec(routerTarget(router.name), ['ip', '-j', 'link', 'show'], { timeoutMs: 10_000 })
      .catch((error: unknown) => {
        // Its first line: the remedy this check gives is the topology's own.
        routerProblem = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        return undefined;
      });
    reachable = result?.exitCode === 0;
    if (result && !reachable) routerProblem = `\`ip -j link show\` there exited ${result.exitCode}: ${result.stderr.trim()}`;
  }
  return {
    ...(routerProblem ? { routerProblem } : {}),
    controlPlanes: nodes.filter((node) => node.role === 'control-plane').length,
    workers: nodes.filter((node) => node.role === 'worker').length,
    subnets,
    subnetCount: subnets.length,
    router: reachable,
    missingAddresses: nodes.filter((node: NodeInfo) => !node.calico?.ipv4Address).map((node) => node.name),
  };
}

/** Why the cluster does not fit the topology, or undefined when it does. */
export function mismatch(
  topology: string,
  expected: TopologyFacts,
  observed: TopologyFacts & Partial<Pick<ObservedFacts, 'missingAddresses' | 'routerProblem'>>,
  routerName?: string,
): string | undefined {
  const reasons: string[] = [];
  if (expected.controlPlanes !== observed.controlPlanes || expected.workers !== observed.workers) {
    reasons.push(
      `it needs ${expected.controlPlanes} control-plane and ${expected.workers} worker node(s), the cluster has ${observed.controlPlanes} and ${observed.workers}`,
    );
  }
  if (observed.missingAddresses?.length) {
    reasons.push(`Calico records no node address (annotation projectcalico.org/IPv4Address) for ${observed.missingAddresses.join(', ')}`);
  } else if (
    expected.subnets ? expected.subnets.join(',') !== (observed.subnets ?? []).join(',') : expected.subnetCount !== observed.subnetCount
  ) {
    reasons.push(
      `it needs Calico's node addresses on ${expected.subnets ? expected.subnets.join(' and ') : `${expected.subnetCount} subnet(s)`}, the cluster's are on ${observed.subnets?.join(' and ') || 'none'}`,
    );
  }
  if (expected.router && !observed.router)
    reasons.push(
      `it needs its router, and ${routerName ? `container ${routerName}` : 'no router'} does not answer${observed.routerProblem ? ` (${observed.routerProblem})` : ''}: deploy the topology's lab with \`npm run cluster:up -- --topology ${topology}\` (containerlab deploy -t fixtures/topologies/${topology}/${CLAB_TOPOLOGY_FILE}), or set ${ROUTER_ENV} to the router's container`,
    );
  return reasons.length ? `topology ${topology}: ${reasons.join('; ')}` : undefined;
}

/** The environment variable naming the router's container on a live lab; else containerlab's name clab-<topology>-<node>. */
export const ROUTER_ENV = 'E2E_ROUTER';

export function routerContainer(spec: Pick<LabSpec, 'routed'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!spec.routed) return undefined;
  return env[ROUTER_ENV] || `clab-${spec.routed.clabName}-${spec.routed.router.node}`;
}
