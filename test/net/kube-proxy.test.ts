import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { printedProbability, writtenProbability } from '../../support/net/kube-proxy.ts';

// What `iptables -S` prints for kube-proxy's jumps (T3-07 of the second live audit, from
// libxt_statistic.c): the 31-bit fraction the kernel keeps, not 1/n to eleven digits.
const PRINTED: Record<number, string> = { 2: '0.50000000000', 3: '0.33333333349', 5: '0.20000000019', 6: '0.16666666651' };

test('T3-07: the probability of a jump is printed as iptables stores it (n = 2, 3, 5, 6)', () => {
  for (const [n, printed] of Object.entries(PRINTED)) assert.equal(printedProbability(Number(n)), printed, `n = ${n}`);
  assert.equal(writtenProbability(3), '0.3333333333', "kube-proxy's %0.10f");
});

test('T3-07: what kube-proxy writes, iptables of this machine prints back as printedProbability says', (t) => {
  const probe = spawnSync('unshare', ['-n', 'iptables', '-t', 'nat', '-S'], { encoding: 'utf8' });
  if (probe.status !== 0) return t.skip(`no private netns with iptables here: ${probe.stderr.trim()}`);
  const ns = [2, 3, 4, 5, 6, 7];
  // A network namespace of its own, gone with the process: the machine's own tables are not touched.
  const script = [
    'iptables -t nat -N T',
    ...ns.map((n) => `iptables -t nat -A T -m statistic --mode random --probability ${writtenProbability(n)} -j RETURN`),
    'iptables -t nat -S T',
  ].join(' && ');
  const out = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const printed = [...out.stdout.matchAll(/--probability (\S+)/g)].map((match) => match[1]);
  assert.deepEqual(printed, ns.map(printedProbability));
});
