/**
 * Preconditions: what a claim needs of the cluster's configuration to hold at all. A scenario
 * tagged `@requires:<name>` runs only where the precondition holds, and is skipped with the
 * reason elsewhere — never failed by a correct cluster, never passed unchecked.
 *
 * A precondition is judged on facts, never on the claim's own observation: the IP pools'
 * encapsulation (vxlanMode/ipipMode), the worker count, whether the nodes share one subnet.
 * The facts come from the cluster (facts.ts) or, for `cluster:up --dry-run`, from the plan.
 */
import type { Encapsulation } from '../net/calico.ts';

export interface ClusterFacts {
  /** Of every IP pool. */
  encapsulations: Encapsulation[];
  workers: number;
  /** Whether every node's address lies in one subnet (undefined: not known). */
  nodesShareSubnet: boolean | undefined;
}

export interface Judgement {
  holds: boolean;
  /** Why it does or does not hold, in the facts' words. */
  because: string;
}

export interface Precondition {
  name: string;
  /** What the claim assumes, for docs and the skip message. */
  means: string;
  judge(facts: ClusterFacts): Judgement;
}

/**
 * What each encapsulation makes the nodes' routes to remote blocks (Calico v3.30):
 *  - VXLAN (vxlanMode Always): Felix's VXLAN manager routes each remote block via that node's
 *    VXLAN tunnel address, `dev vxlan.calico onlink` (felix/dataplane/linux/vxlan_mgr.go);
 *  - IPIP (ipipMode Always): via the node's IP, `dev tunl0 onlink` (BIRD, confd's bird
 *    templates; Felix's ipip manager owns tunl0);
 *  - VXLANCrossSubnet / IPIPCrossSubnet: encapsulated only towards nodes in another subnet;
 *    inside one subnet, via the node's IP on its own interface (Felix's "no-encap" routes);
 *  - None: via the node's IP on its own interface (BIRD), which only works inside one subnet.
 */
function nativeBetweenNodes(encapsulation: Encapsulation, shareSubnet: boolean | undefined): Judgement {
  switch (encapsulation) {
    case 'VXLAN':
      return {
        holds: false,
        because:
          "the pool encapsulates all traffic between nodes in VXLAN (vxlanMode Always): remote blocks are routed via vxlan.calico to each node's tunnel address",
      };
    case 'IPIP':
      return {
        holds: false,
        because: 'the pool encapsulates all traffic between nodes in IP-in-IP (ipipMode Always): remote blocks are routed via tunl0',
      };
    case 'VXLANCrossSubnet':
    case 'IPIPCrossSubnet':
      if (shareSubnet === false)
        return {
          holds: false,
          because: `the pool is ${encapsulation} and the nodes are in different subnets: traffic between them is encapsulated`,
        };
      if (shareSubnet === undefined)
        return { holds: false, because: `the pool is ${encapsulation} and whether the nodes share a subnet is not known` };
      return { holds: true, because: `the pool is ${encapsulation} and every node is in one subnet: routed natively` };
    case 'None':
      return { holds: true, because: 'the pool does not encapsulate (None): routed natively' };
  }
}

export const PRECONDITIONS: Readonly<Record<string, Precondition>> = {
  'native-routing': {
    name: 'native-routing',
    means: "nodes route to each other's pods natively: via the other node's IP on eth0, no tunnel",
    judge(facts) {
      if (facts.encapsulations.length === 0) return { holds: false, because: 'the cluster has no IP pool' };
      const each = facts.encapsulations.map((encapsulation) => nativeBetweenNodes(encapsulation, facts.nodesShareSubnet));
      const failing = each.find((judgement) => !judgement.holds);
      return failing ?? { holds: true, because: each[0]!.because };
    },
  },
  'vxlan-encapsulation': {
    name: 'vxlan-encapsulation',
    means: 'an IP pool uses VXLAN (Always or CrossSubnet), so Felix keeps a vxlan.calico device on every node',
    judge(facts) {
      const vxlan = facts.encapsulations.filter((encapsulation) => encapsulation.startsWith('VXLAN'));
      return vxlan.length
        ? { holds: true, because: `the pool is ${vxlan[0]}` }
        : { holds: false, because: `no pool uses VXLAN (${facts.encapsulations.join(', ') || 'no pool'})` };
    },
  },
  'two-workers': {
    name: 'two-workers',
    means: 'the cluster has at least two worker nodes',
    judge(facts) {
      return facts.workers >= 2
        ? { holds: true, because: `${facts.workers} workers` }
        : { holds: false, because: `the cluster has ${facts.workers} worker node(s)` };
    },
  },
};

export const REQUIRES_TAG = '@requires:';

/** The preconditions a scenario's tags name; an unknown name is an error (the lint catches it first). */
export function requirementsOf(tags: readonly string[]): Precondition[] {
  return tags
    .filter((tag) => tag.startsWith(REQUIRES_TAG))
    .map((tag) => {
      const name = tag.slice(REQUIRES_TAG.length);
      const precondition = PRECONDITIONS[name];
      if (!precondition)
        throw new Error(
          `unknown precondition ${tag}: known are ${Object.keys(PRECONDITIONS)
            .map((known) => REQUIRES_TAG + known)
            .join(', ')}`,
        );
      return precondition;
    });
}

/** The first precondition that does not hold, with its reason; undefined when all hold. */
export function unmet(tags: readonly string[], facts: ClusterFacts): { precondition: Precondition; because: string } | undefined {
  for (const precondition of requirementsOf(tags)) {
    const judgement = precondition.judge(facts);
    if (!judgement.holds) return { precondition, because: judgement.because };
  }
  return undefined;
}

export function skipMessage(miss: { precondition: Precondition; because: string }): string {
  return `skipped: this claim requires ${miss.precondition.name} (${miss.precondition.means}), and ${miss.because}`;
}
