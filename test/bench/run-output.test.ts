import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labLines } from '../../bench/run-output.ts';

test("the bench reads each lab's bring-up and BGP wait from the run's own lines", () => {
  const output = [
    'podnet-e2e: target netns — E2E_TARGET=netns',
    'embedded lab "hb" (topology kind) brought up in 812 ms (3 nodes, 21 pods)',
    'embedded lab "hb-calico-bgp" (topology calico-bgp) brought up in 9120 ms (4 nodes, 12 pods; BGP settled in 6400 ms of it)',
    'embedded lab "hb-calico-bgp-ippool" (topology calico-bgp-ippool) brought up in 4605 ms (3 nodes, 11 pods; BGP settled in 3149.40404 ms of it)',
    'embedded lab "hb-x" (topology x) already running (kept on purpose): attached, and left up after the run',
  ].join('\n');
  assert.deepEqual(labLines(output), [
    { lab: 'hb', topology: 'kind', upMs: 812, bgpMs: undefined },
    { lab: 'hb-calico-bgp', topology: 'calico-bgp', upMs: 9120, bgpMs: 6400 },
    { lab: 'hb-calico-bgp-ippool', topology: 'calico-bgp-ippool', upMs: 4605, bgpMs: 3149.40404 },
  ]);
});

test('the bench says where each figure stands against its goal', async () => {
  const { againstGoal } = await import('../../bench/stats.ts');
  assert.equal(againstGoal(29_000, { atMost: 30_000 }), 'goal ≤ 30.00 s: met');
  assert.equal(againstGoal(60_000, { atMost: 30_000 }), 'goal ≤ 30.00 s: NOT met (2.00× the goal)');
  assert.equal(againstGoal(1.62, { atLeast: 1.5, unit: 'x' }), 'goal ≥ 1.50×: met');
  assert.equal(againstGoal(1.2, { atLeast: 1.5, unit: 'x' }), 'goal ≥ 1.50×: NOT met');
  assert.equal(againstGoal(1.25, { atMost: 1.3, unit: 'x' }), 'goal ≤ 1.30×: met');
});
