import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains } from '../../support/net/cidr.ts';
import { planLab } from '../../support/lab/model.ts';
import { loadLabSpec } from '../../support/lab/spec.ts';
import { nodeBatch } from '../../support/lab/wiring.ts';
import { podBatch, resolvConf } from '../../support/lab/cni/wiring.ts';

const spec = loadLabSpec();
const state = planLab(spec);

test('the fixtures give the course’s cluster: Kind node names, pool, MTU and DNS', () => {
  assert.deepEqual(
    state.nodes.map((n) => `${n.name}:${n.role}`),
    ['podnet-control-plane:control-plane', 'podnet-worker:worker', 'podnet-worker2:worker'],
  );
  assert.equal(spec.pool.cidr, '192.168.0.0/16');
  assert.equal(spec.pool.blockSize, 26);
  assert.equal(state.mtu, 1450);
  assert.equal(state.dnsServiceIP, '10.96.0.10');
});

test('DaemonSet pods run on every node (control-plane toleration honoured); the bare pod on a worker', () => {
  for (const ds of ['multitool-1', 'multitool-2']) {
    const pods = state.pods.filter((p) => p.workload === ds);
    assert.deepEqual(pods.map((p) => p.node).sort(), ['podnet-control-plane', 'podnet-worker', 'podnet-worker2']);
    for (const pod of pods) assert.match(pod.name, new RegExp(`^${ds}-[a-z0-9]{5}$`));
  }
  const bare = state.pods.filter((p) => p.workload === 'multitool');
  assert.equal(bare.length, 1);
  assert.equal(bare[0]?.name, 'multitool');
  assert.equal(state.nodes.find((n) => n.name === bare[0]?.node)?.role, 'worker');
});

test('a DaemonSet without the toleration skips the control-plane', () => {
  const noToleration = { ...spec, workloads: spec.workloads.map((w) => ({ ...w, toleratesControlPlane: false })) };
  const pods = planLab(noToleration).pods.filter((p) => p.workload === 'multitool-1');
  assert.deepEqual(pods.map((p) => p.node).sort(), ['podnet-worker', 'podnet-worker2']);
});

test('every pod address and tunnel address lies in a block affine to its own node', () => {
  for (const pod of state.pods.filter((p) => !p.hostNetwork)) {
    const block = state.ipam.blocks.find((b) => cidrContains(b.cidr, pod.ip));
    assert.equal(block?.node, pod.node, `${pod.name} ${pod.ip}`);
  }
  for (const node of state.nodes) assert.equal(state.ipam.blocks.find((b) => cidrContains(b.cidr, node.tunnelIP!))?.node, node.name);
});

test('a node gets a blackhole for its own block, a route via the owner for each remote block, a /32 per local pod', () => {
  const worker = state.nodes.find((n) => n.name === 'podnet-worker')!;
  const lines = nodeBatch(state, worker).lines;
  const own = state.ipam.blocks.filter((b) => b.node === worker.name);
  const remote = state.ipam.blocks.filter((b) => b.node !== worker.name);
  for (const b of own) assert.ok(lines.includes(`route replace blackhole ${b.cidr} proto 80`));
  for (const b of remote) {
    const owner = state.nodes.find((n) => n.name === b.node)!;
    assert.ok(lines.includes(`route replace ${b.cidr} via ${owner.ip} dev eth0 proto 80 onlink`));
  }
  for (const pod of state.pods.filter((p) => p.node === worker.name)) {
    assert.ok(lines.includes(`route replace ${pod.ip} dev ${pod.hostInterface} scope link`));
  }
});

test('a pod gets one /32 and exactly the two routes via 169.254.1.1, and the kubelet’s resolv.conf', () => {
  const pod = state.pods[0]!;
  const lines = podBatch(pod).lines;
  assert.deepEqual(
    lines.filter((l) => l.startsWith('addr')),
    [`addr add ${pod.ip}/32 dev eth0`],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith('route')),
    ['route add 169.254.1.1 dev eth0 scope link', 'route add default via 169.254.1.1 dev eth0'],
  );
  assert.equal(
    resolvConf(state, pod),
    'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
});
