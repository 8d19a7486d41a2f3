import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_TOPOLOGY,
  formatLabsEnv,
  labNameFor,
  listTopologies,
  parseLabsEnv,
  topologyDir,
  topologyOfTags,
  TOPOLOGY,
} from '../../support/topology/catalogue.ts';
import { FAULTS } from '../../support/lab/faults/faults.ts';
import { faultTopologies } from '../../support/lab/faults/fault.ts';
import { parseClabTopology, parseExec } from '../../support/topology/clab.ts';
import { expectedFacts, mismatch, routerContainer } from '../../support/topology-facts.ts';
import { featureTags } from '../../support/topology/features.ts';
import { loadLabSpec, workloadMtu } from '../../support/lab/spec.ts';
import { planLab } from '../../support/lab/model.ts';
import { blockRouteLines, vxlanDeviceLines, vxlanFdbLines, vxlanNeighbourLines } from '../../support/lab/felix/routes.ts';
import { UsageError } from '../../support/cli/usage-error.ts';

test('a scenario’s topology is its @topology: tag, else the default; two are an error', () => {
  assert.equal(topologyOfTags(['@lesson-03', '@claim:L03-01']), DEFAULT_TOPOLOGY);
  assert.equal(topologyOfTags(['@topology:calico-overlay', '@lesson-06']), 'calico-overlay');
  assert.throws(() => topologyOfTags(['@topology:a', '@topology:b']), /more than one topology/);
});

test('the default topology’s lab takes the run’s lab name, the others add their topology', () => {
  assert.equal(labNameFor('podnet', 'kind'), 'podnet');
  assert.equal(labNameFor('h14', 'calico-overlay'), 'h14-calico-overlay');
  assert.throws(() => labNameFor('x'.repeat(50), 'calico-overlay'), UsageError);
  const labs = new Map([
    ['kind', 'h14'],
    ['calico-overlay', 'h14-calico-overlay'],
  ]);
  assert.deepEqual(parseLabsEnv(formatLabsEnv(labs)), labs);
});

test('the names code gives topologies are the folders of fixtures/topologies, and every fault breaks labs of known ones', () => {
  assert.deepEqual(Object.values(TOPOLOGY).sort(), listTopologies());
  for (const fault of FAULTS)
    for (const topology of faultTopologies(fault)) assert.ok(listTopologies().includes(topology), `${fault.name}: ${topology}`);
});

test('topologies are the folders of fixtures/topologies; an unknown name lists them', () => {
  assert.ok(listTopologies().includes('kind'));
  assert.ok(listTopologies().includes('calico-overlay'));
  assert.throws(
    () => topologyDir('nope'),
    (error: Error) => error instanceof UsageError && /holds: .*kind/.test(error.message),
  );
});

test('a feature’s tags are those above its Feature line', () => {
  assert.deepEqual(featureTags('# comment\n@lesson-06 @topology:calico-overlay\nFeature: x\n  @claim:L06-01\n  Scenario: y\n'), [
    '@lesson-06',
    '@topology:calico-overlay',
  ]);
});

test('containerlab exec lines: ip and sysctl -w only', () => {
  assert.deepEqual(parseExec('ip addr add dev eth1 10.10.10.10/24', 'n'), { kind: 'ip', line: 'addr add dev eth1 10.10.10.10/24' });
  assert.deepEqual(parseExec('sysctl -w net.ipv4.ip_forward=1', 'n'), { kind: 'sysctl', setting: 'net.ipv4.ip_forward=1' });
  assert.throws(() => parseExec('curl http://example.com | sh', 'frr01'), /frr01: exec line "curl/);
  assert.throws(
    () => parseClabTopology('topology:\n  nodes:\n    a: {kind: linux}\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n'),
    /unknown node "b"/,
  );
});

test('the calico-overlay topology: four nodes, eth1 on two subnets, node-ip on eth1, one router', () => {
  const spec = loadLabSpec({ topology: 'calico-overlay', name: 'pnt' });
  assert.deepEqual(
    spec.nodes.map((node) => [node.name, node.role, node.nodeIP]),
    [
      ['pnt-control-plane', 'control-plane', '10.10.10.10'],
      ['pnt-worker', 'worker', '10.10.10.11'],
      ['pnt-worker2', 'worker', '10.10.10.12'],
      ['pnt-worker3', 'worker', '10.10.20.20'],
    ],
  );
  assert.equal(spec.routed?.links.length, 4);
  assert.deepEqual(spec.nodeAddressCidrs, ['10.10.0.0/16']);
  // containerlab's links are at 9500: eth0's 1500 is the smallest, so 1450 for VXLAN.
  assert.equal(workloadMtu(spec), 1450);
  assert.deepEqual(expectedFacts(spec), {
    controlPlanes: 1,
    workers: 3,
    subnets: ['10.10.10.0/24', '10.10.20.0/24'],
    subnetCount: 2,
    router: true,
  });
  assert.equal(routerContainer(spec, {}), 'clab-calico-overlay-frr01');
  assert.equal(routerContainer(spec, { E2E_ROUTER: 'clab-calico-overlay-ceos01' }), 'clab-calico-overlay-ceos01');
});

test('Felix under VXLANCrossSubnet: native within a subnet, vxlan.calico across, a neighbour and an FDB entry per remote VTEP', () => {
  const state = planLab(loadLabSpec({ topology: 'calico-overlay', name: 'pnt' }));
  const [controlPlane, worker, , worker3] = state.nodes as [any, any, any, any];
  assert.equal(worker.calicoAddress.cidr, '10.10.10.11/24');
  assert.equal(worker.calicoAddress.dev, 'eth1');
  const routes = blockRouteLines(state, worker);
  const blockOf = (node: { name: string }) => state.ipam.blocks.find((block) => block.node === node.name)?.cidr;
  assert.ok(routes.includes(`route replace ${blockOf(controlPlane)} via 10.10.10.10 dev eth1 proto 80 onlink`));
  assert.ok(routes.includes(`route replace ${blockOf(worker3)} via ${worker3.tunnelIP} dev vxlan.calico onlink`));
  assert.ok(routes.includes(`route replace blackhole ${blockOf(worker)} proto 80`));
  assert.match(vxlanDeviceLines(state, worker)[0] ?? '', /type vxlan id 4096 dstport 4789 local 10\.10\.10\.11 dev eth1 nolearning/);
  assert.equal(vxlanNeighbourLines(state, worker).length, 3);
  assert.ok(vxlanFdbLines(state, worker).includes(`fdb replace ${worker3.tunnelMac} dev vxlan.calico dst 10.10.20.20 self permanent`));
  assert.ok(
    blockRouteLines(state, worker3)
      .filter((line) => !line.includes('blackhole'))
      .every((line) => line.includes('dev vxlan.calico')),
  );
});

test('a live cluster that lacks the topology is told why', () => {
  const spec = loadLabSpec({ topology: 'calico-overlay', name: 'pnt' });
  const kindLike = { controlPlanes: 1, workers: 2, subnets: ['172.18.0.0/16'], subnetCount: 1, router: false };
  const reason = mismatch('calico-overlay', expectedFacts(spec), kindLike, 'clab-calico-overlay-frr01');
  assert.match(reason ?? '', /1 control-plane and 3 worker/);
  assert.match(reason ?? '', /10\.10\.10\.0\/24 and 10\.10\.20\.0\/24/);
  assert.match(reason ?? '', /container clab-calico-overlay-frr01/);
  assert.equal(mismatch('kind', expectedFacts(loadLabSpec()), kindLike), undefined);
});

test('the mutation matrix runs a fault only against the features of the topologies it breaks', async () => {
  const { featuresOfTopologies } = await import('../../support/topology/features.ts');
  const overlay = featuresOfTopologies(['calico-overlay']);
  const kind = featuresOfTopologies(['kind']);
  assert.ok(overlay.length > 0 && kind.length > 0);
  assert.ok(
    overlay.every((file) => !kind.includes(file)),
    'a feature belongs to one topology',
  );
  assert.ok(kind.includes('features/02-pod-network/pod-interface.feature'), 'untagged features run on the default topology');
});
