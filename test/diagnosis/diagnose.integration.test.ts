/**
 * The runbooks on a lab broken on purpose: for each fault, the diagnosis of the claim it
 * breaks names the cause the evidence points to.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { PodInfo } from '../../support/domain.ts';
import { diagnose } from '../../support/diagnosis/diagnose.ts';
import { routeGetViaNode } from '../../support/claims/routing.ts';
import { ClaimAssertionError } from '../../support/evidence.ts';
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../../support/lab/lab.ts';
import { NetnsCluster } from '../../support/cluster/netns/netns-cluster.ts';

const LAB = 'pndiagnose';
const isRoot = process.getuid?.() === 0;
let cluster: NetnsCluster;

before(async () => {
  if (!isRoot) return;
  await labDown(LAB);
  await labUp({ name: LAB });
  cluster = NetnsCluster.attach(LAB);
});
after(async () => {
  if (isRoot) await labDown(LAB);
});

async function pods(): Promise<{ source: PodInfo; sameNode: PodInfo; crossNode: PodInfo }> {
  const all = await cluster.pods();
  const find = (workload: string, node: string) => all.find((pod) => pod.workload === workload && pod.node === node) as PodInfo;
  return {
    source: find('multitool-1', `${LAB}-worker`),
    sameNode: find('multitool-2', `${LAB}-worker`),
    crossNode: find('multitool-1', `${LAB}-worker2`),
  };
}

const cases: { fault: string; claim: string; traffic: 'same' | 'cross'; cause: RegExp }[] = [
  {
    fault: 'extra-hop',
    claim: 'L03-07',
    traffic: 'cross',
    cause: /sends traffic for .* via 172\.18\.0\.1, not via .*InternalIP 172\.18\.0\.4: an extra hop/,
  },
  {
    fault: 'snat',
    claim: 'L03-10',
    traffic: 'cross',
    cause: /rewrites source addresses of pod traffic \(SNAT\): -A POSTROUTING .* -j MASQUERADE/,
  },
  { fault: 'per-pod-routes', claim: 'L03-11', traffic: 'cross', cause: /routes remote pods one by one/ },
  { fault: 'no-host-route', claim: 'L03-04', traffic: 'same', cause: /has no host route to multitool-2-/ },
  { fault: 'proxy-arp-off', claim: 'L03-04', traffic: 'same', cause: /proxy ARP is off on cali/ },
  { fault: 'no-gateway-route', claim: 'L02-07', traffic: 'same', cause: /has no default route via 169\.254\.1\.1/ },
  { fault: 'duplicate-ip', claim: 'NET-01', traffic: 'cross', cause: /is held by multitool-1-\w+ on pndiagnose-worker and multitool-2-/ },
  {
    fault: 'node-mtu-too-small',
    claim: 'NET-04',
    traffic: 'cross',
    cause: /vxlan\.calico's MTU 1450 leaves no room for 50 bytes of VXLAN header under eth0's 1400/,
  },
  { fault: 'stale-cni-config', claim: 'NET-08', traffic: 'same', cause: /reads 00-bridge\.conflist first/ },
];

for (const { fault, claim, traffic, cause } of cases) {
  test(`${fault}: the diagnosis of ${claim} names the cause`, { skip: !isRoot && 'needs root' }, async () => {
    await labApplyFaults(LAB, [fault]);
    try {
      const { source, sameNode, crossNode } = await pods();
      const diagnosis = await diagnose(cluster, [claim], source, traffic === 'same' ? sameNode : crossNode);
      assert.ok(diagnosis, 'a runbook fits');
      assert.match(diagnosis.text, /likely cause:/, diagnosis.text);
      assert.match(diagnosis.text, cause, diagnosis.text);
      assert.ok(diagnosis.evidence.length > 0);
    } finally {
      await labUndoFaults(LAB);
    }
  });
}

test('on the clean lab the runbook finds nothing to blame', { skip: !isRoot && 'needs root' }, async () => {
  const { source, crossNode } = await pods();
  const diagnosis = await diagnose(cluster, ['L03-07'], source, crossNode);
  assert.match(diagnosis?.text ?? '', /the evidence does not point to one cause/);
});

test('a claim no runbook names gets the default one', { skip: !isRoot && 'needs root' }, async () => {
  const { source, crossNode } = await pods();
  const diagnosis = await diagnose(cluster, ['L02-01'], source, crossNode);
  assert.match(diagnosis.text, /^RUNBOOK: No specific runbook fits this claim/);
  assert.ok(diagnosis.evidence.length > 0);
});

// Last: it changes a node's routes by hand, which only the teardown undoes.
test(
  'a node that blackholes the remote block: L03-08 is a failed claim naming the blackhole route, not a broken one',
  { skip: !isRoot && 'needs root' },
  async () => {
    const { source, crossNode } = await pods();
    const block = (await cluster.ipamBlocks()).find(
      (candidate) => candidate.node === crossNode.node && candidate.allocations.some((allocation) => allocation.ip === crossNode.ip),
    );
    assert.ok(block);
    const node = cluster.state().nodes.find((candidate) => candidate.name === source.node);
    const changed = spawnSync('ip', ['-n', node?.netns ?? '', 'route', 'replace', 'blackhole', block.cidr, 'proto', '80'], {
      encoding: 'utf8',
    });
    assert.equal(changed.status, 0, changed.stderr);
    const verdict = await routeGetViaNode(cluster, source.node, crossNode);
    assert.equal(verdict.ok, false);
    assert.match(
      verdict.observed,
      new RegExp(
        `the kernel refuses the lookup \\("Invalid argument"\\): the route "blackhole ${block.cidr.replace(/\./g, '\\.')} proto 80" covers it`,
      ),
    );
    const error = new ClaimAssertionError(verdict);
    assert.equal(error.name, 'ClaimAssertionError');
    assert.match(error.message, /blackhole 192\.168\.\d+\.\d+\/26/);
    const diagnosis = await diagnose(cluster, ['L03-08'], source, crossNode);
    assert.match(diagnosis.text, /refuses to route .*"Invalid argument".*blackhole/);
  },
);
