import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cluster } from '../../support/cluster/cluster.ts';
import { verdict } from '../../support/evidence.ts';
import { afterBgpSettles } from '../../support/claims/bgp.ts';

/** A router claim that holds from its `holdsFrom`-th look on (FRR installing its paths a moment after the change). */
function routerClaim(holdsFrom: number) {
  let looks = 0;
  const claim = afterBgpSettles(async (_cluster: Cluster) => {
    looks++;
    return verdict(looks >= holdsFrom, 'three next hops', `${looks >= holdsFrom ? 3 : 1} next hop(s)`);
  });
  return { claim, looks: () => looks };
}

test('on a cluster where BGP converges on its own time, a router claim is asked again until it holds', async () => {
  const { claim, looks } = routerClaim(2);
  const seen = await claim({ bgpSettlesWithinMs: undefined } as Cluster);
  assert.equal(seen.ok, true);
  assert.equal(looks(), 2);
});

test('on a target whose BGP changes return settled (the lab), it is asked once, and a failure stands at once', async () => {
  const { claim, looks } = routerClaim(2);
  const seen = await claim({ bgpSettlesWithinMs: 0 } as Cluster);
  assert.equal(seen.ok, false);
  assert.equal(seen.observed, '1 next hop(s)');
  assert.equal(looks(), 1);
});
