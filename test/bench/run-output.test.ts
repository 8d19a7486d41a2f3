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
