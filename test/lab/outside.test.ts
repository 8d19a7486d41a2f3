/**
 * The lab's outside world and Felix's natOutgoing ipsets, as pure functions of the model: a
 * host beyond the node network's gateway that knows the way back to the nodes and to no pool;
 * the masq set following each pool's natOutgoing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planLab } from '../../support/lab/model.ts';
import { loadLabSpec } from '../../support/lab/spec.ts';
import { namespacesToAdd } from '../../support/lab/topology/fabric.ts';
import { OUTSIDE_HOST_IP, hasOutsideWorld, outsideFabricBatch, outsideHostBatch } from '../../support/lab/topology/outside.ts';
import { natOutgoingIpsets } from '../../support/lab/felix/nat-outgoing.ts';
import { cidrContains } from '../../support/net/cidr.ts';

const state = planLab(loadLabSpec({ name: 'outsidetest' }));

test('the Kind topology has an outside host, in a namespace of the lab beyond the gateway', () => {
  assert.ok(hasOutsideWorld(state));
  assert.ok(namespacesToAdd(state).lines.includes('netns add pnl-outsidetest.outside'));
  assert.equal(outsideFabricBatch(state).netns, 'pnl-outsidetest.fabric');
  assert.ok(cidrContains('203.0.113.0/24', OUTSIDE_HOST_IP), 'a TEST-NET-3 address, no one’s on the internet');
  for (const pool of state.spec.pools) assert.ok(!cidrContains(pool.cidr, OUTSIDE_HOST_IP));
});

test('the outside host routes back to the node network only, never to a pool', () => {
  const batch = outsideHostBatch(state);
  assert.equal(batch.netns, 'pnl-outsidetest.outside');
  const routes = batch.lines.filter((line) => line.startsWith('route add'));
  assert.deepEqual(routes, ['route add 172.18.0.0/16 via 203.0.113.1 dev eth0']);
});

test('the masq ipset holds the pools with natOutgoing; the all-pools set every pool; both refilled in place', () => {
  const pools = state.spec.pools.map((pool) => ({ ...pool }));
  const withOff = { ...state, spec: { ...state.spec, pools: pools.map((pool, i) => (i === 0 ? { ...pool, natOutgoing: false } : pool)) } };
  const lines = natOutgoingIpsets(withOff).trim().split('\n');
  assert.ok(lines.includes('flush cali40masq-ipam-pools') && lines.includes('flush cali40all-ipam-pools'));
  assert.ok(!lines.includes(`add cali40masq-ipam-pools ${pools[0]!.cidr}`));
  assert.ok(lines.includes(`add cali40all-ipam-pools ${pools[0]!.cidr}`));
  const broken = { ...withOff, faults: ['nat-outgoing-ignores-pool-setting'] };
  assert.ok(natOutgoingIpsets(broken).includes(`add cali40masq-ipam-pools ${pools[0]!.cidr}`));
});
