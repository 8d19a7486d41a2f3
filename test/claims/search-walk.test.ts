import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchWalkExpected } from '../../support/claims/cluster-dns.ts';

// L05-12's table, expanded for a pod in podnet-e2e.
const ROWS = [
  { query: 'no-such-name.podnet-e2e.svc.cluster.local.', rcode: 'NXDOMAIN' },
  { query: 'no-such-name.svc.cluster.local.', rcode: 'NXDOMAIN' },
  { query: 'no-such-name.cluster.local.', rcode: 'NXDOMAIN' },
  { query: 'no-such-name.', rcode: 'any' },
];
const CLUSTER = ['podnet-e2e.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

test('T3-06: a host without search domains: the walk is the table as it stands', () => {
  assert.deepEqual(searchWalkExpected('no-such-name', CLUSTER, ROWS), { want: ROWS });
});

test("T3-06: a GitHub-hosted runner's search domain, passed by kind into the pod, is walked before the bare name", () => {
  const runner = [...CLUSTER, 'abcdef.bx.internal.cloudapp.net'];
  const { want, problem } = searchWalkExpected('no-such-name', runner, ROWS);
  assert.equal(problem, undefined);
  assert.deepEqual(
    want.map((row) => row.query),
    [...ROWS.slice(0, 3).map((row) => row.query), 'no-such-name.abcdef.bx.internal.cloudapp.net.', 'no-such-name.'],
  );
  assert.equal(want[3]?.rcode, 'any', "the runner's upstream answers as it will");
});

test("T3-06: a pod whose search list does not begin with the cluster's suffixes is a finding, not a longer walk", () => {
  const { problem } = searchWalkExpected('no-such-name', ['example.org', ...CLUSTER], ROWS);
  assert.match(problem ?? '', /does not begin with podnet-e2e\.svc\.cluster\.local/);
});
