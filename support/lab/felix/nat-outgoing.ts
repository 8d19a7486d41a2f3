/**
 * Felix's natOutgoing: traffic from a pool with natOutgoing enabled to a destination outside
 * every pool leaves the node masqueraded to the node's address (calico felix
 * rules/nat.go: cali-nat-outgoing, `-m set --match-set cali40masq-ipam-pools src -m set !
 * --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully`, hooked from
 * cali-POSTROUTING). The lab has one pool, so the two sets are its CIDR; Felix's rule-hash
 * comments are left out.
 */
import { runChecked } from '../../exec/run.ts';
import type { LabNode, LabState } from '../model.ts';

export function natOutgoingRules(state: LabState): string {
  if (!state.spec.pool.natOutgoing) return '';
  const pool = state.spec.pool.cidr;
  return [
    '*nat',
    ':cali-POSTROUTING - [0:0]',
    ':cali-nat-outgoing - [0:0]',
    '-A POSTROUTING -j cali-POSTROUTING',
    '-A cali-POSTROUTING -j cali-nat-outgoing',
    `-A cali-nat-outgoing -s ${pool} ! -d ${pool} -j MASQUERADE --random-fully`,
    'COMMIT',
    '',
  ].join('\n');
}

export async function applyNatOutgoing(state: LabState, node: LabNode): Promise<void> {
  const rules = natOutgoingRules(state);
  if (rules) await runChecked(['ip', 'netns', 'exec', node.netns, 'iptables-restore', '--noflush'], { where: node.netns, input: rules });
}
