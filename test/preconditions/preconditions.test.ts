/**
 * Claims know the configuration they describe: `@requires:<precondition>` tags, judged on
 * facts read from the cluster, skip a claim (with the reason) where its configuration is not
 * the cluster's. For every encapsulation the nightly can build, `cluster:up --dry-run` and a
 * run against a cluster built so must agree on which claims run.
 *
 * The cluster here is the fake API server with the IPPool the Tigera operator makes from the
 * Installation's encapsulation (operator.tigera.io/v1 IPPool.encapsulation → Calico IPPool
 * vxlanMode/ipipMode: VXLAN → vxlanMode Always; VXLANCrossSubnet → vxlanMode CrossSubnet;
 * IPIP → ipipMode Always; IPIPCrossSubnet → ipipMode CrossSubnet; None → both Never), and nodes
 * that answer `ip -j addr` with their InternalIP on eth0 in Kind's one /16.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { factsOf } from '../../support/preconditions/facts.ts';
import { PRECONDITIONS, requirementsOf, unmet, type ClusterFacts } from '../../support/preconditions/preconditions.ts';
import { claimPlan, scenariosOf } from '../../support/preconditions/scenarios.ts';
import { planFacts, renderClaimPlan } from '../../support/provision/claims-under-plan.ts';
import { loadFixtures, poolEncapsulations, renderInstallation, renderKindConfig } from '../../support/provision/manifests.ts';
import type { Encapsulation } from '../../support/net/calico.ts';
import { harness } from '../kind/helpers.ts';

const FEATURES = fileURLToPath(new URL('../../features/', import.meta.url));
const scenarios = await scenariosOf(FEATURES);
const facts = (encapsulation: Encapsulation, extra: Partial<ClusterFacts> = {}): ClusterFacts => ({
  encapsulations: [encapsulation],
  workers: 2,
  nodesShareSubnet: true,
  ...extra,
});

const OPERATOR_POOL: Record<Encapsulation, { vxlanMode: string; ipipMode: string }> = {
  VXLAN: { vxlanMode: 'Always', ipipMode: 'Never' },
  VXLANCrossSubnet: { vxlanMode: 'CrossSubnet', ipipMode: 'Never' },
  IPIP: { vxlanMode: 'Never', ipipMode: 'Always' },
  IPIPCrossSubnet: { vxlanMode: 'Never', ipipMode: 'CrossSubnet' },
  None: { vxlanMode: 'Never', ipipMode: 'Never' },
};

describe('preconditions', () => {
  it('native routing: None and CrossSubnet inside one subnet; never VXLAN/IPIP Always, nor CrossSubnet across subnets', () => {
    const native = PRECONDITIONS['native-routing']!;
    assert.equal(native.judge(facts('None')).holds, true);
    assert.equal(native.judge(facts('VXLANCrossSubnet')).holds, true);
    assert.equal(native.judge(facts('IPIPCrossSubnet')).holds, true);
    assert.match(native.judge(facts('VXLAN')).because, /vxlan\.calico/);
    assert.match(native.judge(facts('IPIP')).because, /tunl0/);
    assert.equal(native.judge(facts('VXLANCrossSubnet', { nodesShareSubnet: false })).holds, false);
    assert.equal(native.judge(facts('VXLANCrossSubnet', { nodesShareSubnet: undefined })).holds, false, 'not known is not holding');
    assert.equal(PRECONDITIONS['two-workers']!.judge(facts('None', { workers: 1 })).holds, false);
  });

  it('every @requires tag in features/ names a known precondition', () => {
    const tagged = scenarios.filter((scenario) => scenario.tags.some((tag) => tag.startsWith('@requires:')));
    assert.ok(tagged.length > 0);
    for (const scenario of tagged) assert.doesNotThrow(() => requirementsOf(scenario.tags), `${scenario.uri}: ${scenario.name}`);
    assert.throws(() => requirementsOf(['@requires:bgp-mesh']), /unknown precondition @requires:bgp-mesh/);
  });

  it('the claims that depend on the encapsulation say so: L03-08, L03-11 (routes), NET-04 (vxlan.calico)', () => {
    const needing = (name: string) =>
      scenarios
        .filter((scenario) => scenario.tags.includes(`@requires:${name}`))
        .flatMap((scenario) => scenario.claims)
        .sort();
    assert.deepEqual(needing('native-routing'), ['L03-08', 'L03-11']);
    assert.deepEqual(needing('vxlan-encapsulation'), ['NET-04']);
    assert.ok(unmet(['@claim:L03-08', '@requires:native-routing'], facts('VXLAN')));
  });
});

describe('the dry run and the run agree on which claims run, for every encapsulation', () => {
  for (const encapsulation of Object.keys(OPERATOR_POOL) as Encapsulation[]) {
    it(encapsulation, { timeout: 60_000 }, async () => {
      // The dry run: facts from the plan.
      const fixtures = await loadFixtures();
      const planned = planFacts(
        poolEncapsulations(renderInstallation(fixtures.installation, encapsulation)),
        renderKindConfig(fixtures.kindConfig, { name: 'podnet', image: 'x' }).workerCount,
      );
      const fromPlan = claimPlan(scenarios, planned);
      assert.match(await renderClaimPlan(planned, FEATURES), new RegExp(`skipped \\(${fromPlan.skipped.size}\\)`));

      // The run: facts read from a cluster built that way.
      const h = await harness({
        exec: (call) => {
          const node = /^podnet-e2e-node-shell-(.+)$/.exec(call.pod)?.[1];
          if (node && call.argv.includes('addr')) {
            const ip = h.fake
              .get('v1', 'nodes', undefined, node)
              ?.status.addresses.find((a: { type: string }) => a.type === 'InternalIP').address;
            return {
              stdout: JSON.stringify([
                {
                  ifindex: 2,
                  ifname: 'eth0',
                  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
                  mtu: 1500,
                  operstate: 'UP',
                  link_type: 'ether',
                  address: '02:42:ac:12:00:02',
                  addr_info: [{ family: 'inet', local: ip, prefixlen: 16, scope: 'global', label: 'eth0' }],
                },
              ]),
            };
          }
          return { argv: call.argv };
        },
      });
      try {
        for (const pool of h.fake.list('crd.projectcalico.org/v1', 'ippools'))
          h.fake.put({ ...pool, spec: { ...pool.spec, ...OPERATOR_POOL[encapsulation] } });
        const read = await factsOf(h.cluster({ mtuFromNodeFile: false, workloadNamespace: 'default' }));
        assert.deepEqual(read.encapsulations, [encapsulation]);
        const fromCluster = claimPlan(scenarios, read);
        assert.deepEqual(fromCluster, fromPlan);
        const expectSkipped = encapsulation === 'VXLAN' || encapsulation === 'IPIP' ? ['L03-08', 'L03-11'] : [];
        if (!encapsulation.startsWith('VXLAN')) expectSkipped.push('NET-04');
        assert.deepEqual([...fromPlan.skipped.keys()].sort(), expectSkipped.sort());
      } finally {
        await h.close();
      }
    });
  }
});
