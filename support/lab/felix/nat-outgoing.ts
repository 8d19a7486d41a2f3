/**
 * Felix's natOutgoing, as Calico v3.30.0 programs it with the iptables data plane
 * (felix/rules/nat.go makeNATOutgoingRuleIPTables, NATOutgoingChain; ipset names from
 * felix/ipsets with the `cali40` prefix of IPv4 sets):
 *
 *   ipset cali40masq-ipam-pools  the CIDRs of the pools with natOutgoing
 *   ipset cali40all-ipam-pools   the CIDRs of every pool
 *   -A POSTROUTING -j cali-POSTROUTING
 *   -A cali-POSTROUTING -j cali-nat-outgoing
 *   -A cali-nat-outgoing -m set --match-set cali40masq-ipam-pools src
 *                        -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully
 *
 * so a pod's packet leaves its node with the node's address when it goes anywhere outside
 * every pool, and keeps the pod's address to another pod.
 */
import { runChecked } from '../../exec/run.ts';
import { NAT_OUTGOING_IGNORES_POOL_FAULT } from '../faults/behaviours.ts';
import type { LabNode, LabState } from '../model.ts';

export const MASQ_POOLS_IPSET = 'cali40masq-ipam-pools';
export const ALL_POOLS_IPSET = 'cali40all-ipam-pools';
export const NAT_OUTGOING_CHAIN = 'cali-nat-outgoing';

/**
 * Input for `ipset restore -exist`: both sets, filled from the pools. Felix's masquerade manager
 * (felix/dataplane/linux/masq_mgr.go, v3.30.0) keeps them in step with the IPPools: a pool's
 * CIDR is in the masq set while its natOutgoing is true, in the all-pools set while it exists;
 * a pool update changes the members in place, so the sets are flushed and refilled, never
 * recreated (the chain that matches them stays as it is).
 */
export function natOutgoingIpsets(state: LabState): string {
  const masqueradeEvery = state.faults.includes(NAT_OUTGOING_IGNORES_POOL_FAULT);
  const lines = [
    `create ${MASQ_POOLS_IPSET} hash:net family inet`,
    `create ${ALL_POOLS_IPSET} hash:net family inet`,
    `flush ${MASQ_POOLS_IPSET}`,
    `flush ${ALL_POOLS_IPSET}`,
  ];
  for (const pool of state.spec.pools) {
    if (pool.natOutgoing || masqueradeEvery) lines.push(`add ${MASQ_POOLS_IPSET} ${pool.cidr}`);
    lines.push(`add ${ALL_POOLS_IPSET} ${pool.cidr}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Input for `iptables-restore --noflush`: the nat table's chains, hooked into POSTROUTING. */
export function natOutgoingRules(masqueradeEverything = false): string {
  const match = masqueradeEverything
    ? `-m set --match-set ${MASQ_POOLS_IPSET} src`
    : `-m set --match-set ${MASQ_POOLS_IPSET} src -m set ! --match-set ${ALL_POOLS_IPSET} dst`;
  return [
    '*nat',
    ':cali-POSTROUTING - [0:0]',
    `:${NAT_OUTGOING_CHAIN} - [0:0]`,
    '-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING',
    `-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j ${NAT_OUTGOING_CHAIN}`,
    `-A ${NAT_OUTGOING_CHAIN} -m comment --comment "cali:flqWnvo8yq4ULQLa" ${match} -j MASQUERADE --random-fully`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Felix's natOutgoing on one node: the two ipsets and the cali-nat-outgoing chain. */
export async function applyNatOutgoing(state: LabState, node: LabNode): Promise<void> {
  await syncNatOutgoingIpsets(state, node);
  await runChecked(['ip', 'netns', 'exec', node.netns, 'iptables-restore', '--noflush'], { where: node.netns, input: natOutgoingRules() });
}

/** The two ipsets of one node, in step with the pools (after a pool's natOutgoing changed). */
export async function syncNatOutgoingIpsets(state: LabState, node: LabNode): Promise<void> {
  await runChecked(['ip', 'netns', 'exec', node.netns, 'ipset', 'restore', '-exist'], {
    where: node.netns,
    input: natOutgoingIpsets(state),
  });
}
