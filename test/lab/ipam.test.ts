import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, cidrsOverlap } from '../../support/net/cidr.ts';
import { ALREADY_ASSIGNED_MESSAGE, Ipam, IpamAssignError, IpamExhaustedError, NOT_IN_POOL_MESSAGE } from '../../support/lab/ipam/ipam.ts';
import { ipamRequestOf } from '../../support/lab/ipam/request.ts';

const pool = { cidr: '192.168.0.0/16', blockSize: 26 };

test('a node claims a /26 of the pool when it first needs an address, and allocates inside it', () => {
  const ipam = new Ipam(pool);
  const first = ipam.assign('worker', 'default/a');
  const second = ipam.assign('worker', 'default/b');
  const [block] = ipam.view();
  assert.ok(block);
  assert.equal(block.node, 'worker');
  assert.match(block.cidr, /\/26$/);
  assert.ok(cidrContains(block.cidr, first) && cidrContains(block.cidr, second));
  assert.deepEqual(
    block.allocations.map((a) => a.holder),
    ['default/a', 'default/b'],
  );
});

test('blocks are not simply the first blocks of the pool, and nodes never share one', () => {
  const ipam = new Ipam(pool);
  for (const node of ['podnet-control-plane', 'podnet-worker', 'podnet-worker2']) ipam.assign(node, `x/${node}`);
  const blocks = ipam.view();
  assert.equal(blocks.length, 3);
  assert.ok(!blocks.some((block) => block.cidr === '192.168.0.0/26'), 'no node got the pool’s first block');
  for (const a of blocks) for (const b of blocks) if (a !== b) assert.ok(!cidrsOverlap(a.cidr, b.cidr));
});

test('the same node names give the same blocks (a lab is reproducible)', () => {
  const cidrs = () => {
    const ipam = new Ipam(pool);
    ipam.assign('podnet-worker', 'x/1');
    return ipam.view().map((block) => block.cidr);
  };
  assert.deepEqual(cidrs(), cidrs());
});

test('a full block makes the node claim another one', () => {
  const ipam = new Ipam({ cidr: '10.0.0.0/24', blockSize: 30 });
  const ips = Array.from({ length: 5 }, (_, i) => ipam.assign('n1', `x/${i}`));
  assert.equal(new Set(ips).size, 5);
  assert.equal(ipam.view().filter((block) => block.node === 'n1').length, 2);
});

test('a released address goes to the back of the line and is not reused at once', () => {
  const ipam = new Ipam({ cidr: '10.0.0.0/24', blockSize: 29 });
  const a = ipam.assign('n1', 'x/a');
  ipam.assign('n1', 'x/b');
  ipam.release(a);
  assert.notEqual(ipam.assign('n1', 'x/c'), a);
  assert.throws(() => ipam.release('10.0.0.250'), /not allocated/);
});

test('with every block claimed a node borrows from another node’s block; an exhausted pool is a clear error', () => {
  const ipam = new Ipam({ cidr: '10.0.0.0/29', blockSize: 30 });
  ipam.assign('n1', 'x/1');
  ipam.assign('n2', 'x/2');
  const borrowed = ipam.assign('n3', 'x/3');
  assert.notEqual(ipam.blockOf(borrowed)?.node, 'n3');
  for (let i = 4; i <= 8; i++) ipam.assign('n3', `x/${i}`);
  assert.throws(() => ipam.assign('n3', 'x/9'), IpamExhaustedError);
});

test('state survives a round trip through the state file format', () => {
  const ipam = new Ipam(pool);
  ipam.assign('n1', 'x/1');
  const copy = Ipam.fromState(JSON.parse(JSON.stringify(ipam.toState())));
  assert.deepEqual(copy.view(), ipam.view());
  assert.notEqual(copy.assign('n1', 'x/2'), ipam.view()[0]?.allocations[0]?.ip);
});

// Lesson 09's pools: the secondary one selects no node.
const lesson09 = [
  { name: 'default-ipv4-ippool', cidr: '192.168.0.0/17', blockSize: 26, nodeSelector: 'all()' },
  { name: 'secondary-ipv4-ippool', cidr: '192.168.128.0/17', blockSize: 26, nodeSelector: '!all()' },
];

test('a pool whose nodeSelector selects no node is never used automatically, but is when a pod names it', () => {
  const ipam = new Ipam(lesson09);
  for (let i = 0; i < 5; i++) assert.ok(cidrContains('192.168.0.0/17', ipam.assign('w1', `x/${i}`)));
  const named = ipam.assign('w1', 'x/named', { pools: ['secondary-ipv4-ippool'] });
  assert.ok(cidrContains('192.168.128.0/17', named));
  assert.equal(ipam.blockOf(named)?.node, 'w1', 'the secondary block is affine to the node that asked');
  assert.ok(
    cidrContains('192.168.128.0/17', ipam.assign('w1', 'x/cidr', { pools: ['192.168.128.0/17'] })),
    'a pool may be named by its CIDR',
  );
  assert.throws(
    () => ipam.assign('w1', 'x/none', { pools: ['no-such-pool'] }),
    /the given pool \(no-such-pool\) does not exist, or is not enabled/,
  );
});

test('the node’s emptied block of a pool that does not select it is released at its next automatic assignment', () => {
  const ipam = new Ipam(lesson09);
  const first = ipam.assign('w1', 'x/a');
  const secondary = ipam.assign('w1', 'x/b', { pools: ['secondary-ipv4-ippool'] });
  ipam.release(secondary);
  ipam.release(first);
  assert.equal(ipam.affinities().length, 2, 'a release alone keeps the affinity');
  ipam.assign('w1', 'x/c');
  assert.deepEqual(
    ipam
      .affinities()
      .map((a) => a.cidr)
      .filter((cidr) => cidrContains('192.168.128.0/17', cidr.split('/')[0] as string)),
    [],
  );
  assert.equal(ipam.affinities().length, 1, 'the block of the selecting pool stays, empty or not');
});

test('allowedUses: a pool without Tunnel gives no tunnel address', () => {
  const ipam = new Ipam([
    { name: 'lb', cidr: '172.16.0.240/28', blockSize: 28, allowedUses: ['LoadBalancer'] },
    { name: 'pods', cidr: '10.1.0.0/16', blockSize: 26 },
  ]);
  assert.ok(cidrContains('10.1.0.0/16', ipam.assign('n1', 'vxlan-tunnel-addr:n1', { use: 'Tunnel' })));
  assert.ok(cidrContains('10.1.0.0/16', ipam.assign('n1', 'x/1')));
});

// Lesson 16: a /29 reserved inside the pool.
const reserved = [{ name: 'reserved-ips', cidrs: ['192.168.100.8/29'] }];

test('automatic assignment skips reserved addresses, even inside the node’s own block', () => {
  const ipam = new Ipam(pool, [], reserved);
  ipam.assignIP('worker', '192.168.100.1', 'x/explicit');
  const ips = Array.from({ length: 40 }, (_, i) => ipam.assign('worker', `x/${i}`));
  assert.ok(
    ips.some((ip) => cidrContains('192.168.100.0/26', ip)),
    'the block with the reservation is used',
  );
  assert.deepEqual(
    ips.filter((ip) => cidrContains('192.168.100.8/29', ip)),
    [],
  );
});

test('a block made only of reserved addresses is never claimed for automatic assignment', () => {
  const ipam = new Ipam({ cidr: '10.0.0.0/28', blockSize: 29 }, [], [{ name: 'r', cidrs: ['10.0.0.0/29'] }]);
  for (let i = 0; i < 8; i++) assert.ok(cidrContains('10.0.0.8/29', ipam.assign(`n${i % 2}`, `x/${i}`)));
  assert.throws(() => ipam.assign('n0', 'x/9'), IpamExhaustedError);
});

test('an explicit address: reserved or not, it is given; its block is claimed for the node; a second request fails as Calico’s', () => {
  const ipam = new Ipam(pool, [], reserved);
  ipam.assign('worker', 'default/dynamic');
  assert.equal(
    ipam.assignIP('worker', '192.168.100.10', 'default/static', { handle_id: 'k8s-pod-network.abc', pod: 'static' }),
    '192.168.100.10',
  );
  const affinity = ipam.affinities().find((a) => a.cidr === '192.168.100.0/26');
  assert.deepEqual(affinity, {
    name: 'worker-192-168-100-0-26',
    node: 'worker',
    cidr: '192.168.100.0/26',
    state: 'confirmed',
    deleted: 'false',
    type: 'host',
  });
  assert.throws(
    () => ipam.assignIP('worker', '192.168.100.10', 'default/duplicate'),
    (error: Error) => error instanceof IpamAssignError && error.message === ALREADY_ASSIGNED_MESSAGE,
  );
  assert.throws(
    () => ipam.assignIP('worker', '10.10.10.10', 'default/outside'),
    (error: Error) => error instanceof IpamAssignError && error.message === NOT_IN_POOL_MESSAGE,
  );
  const held = ipam
    .view()
    .flatMap((block) => block.allocations)
    .find((a) => a.ip === '192.168.100.10');
  assert.deepEqual(held?.attributes, { handle_id: 'k8s-pod-network.abc', pod: 'static' });
  ipam.release('192.168.100.10');
  assert.equal(ipam.assignIP('worker', '192.168.100.10', 'default/static-again'), '192.168.100.10');
});

test('an explicit address in another node’s block is borrowed from it (non-strict affinity)', () => {
  const ipam = new Ipam(pool);
  const own = ipam.assign('n1', 'x/1');
  const next = own.replace(/\d+$/, (last) => String(Number(last) + 5));
  ipam.assignIP('n2', next, 'x/2');
  assert.equal(ipam.blockOf(next)?.node, 'n1');
  assert.equal(ipam.affinities().length, 1);
});

test('calicoctl ipam show: pool size, addresses in use, free; per block too', () => {
  const ipam = new Ipam(lesson09, [], []);
  ipam.assign('n1', 'x/1');
  ipam.assign('n1', 'x/2');
  ipam.assign('n2', 'x/3');
  const { pools, blocks } = ipam.utilization();
  assert.deepEqual(pools, [
    { name: 'default-ipv4-ippool', cidr: '192.168.0.0/17', total: 32768, inUse: 3, free: 32765 },
    { name: 'secondary-ipv4-ippool', cidr: '192.168.128.0/17', total: 32768, inUse: 0, free: 32768 },
  ]);
  assert.deepEqual(blocks.map((b) => [b.total, b.inUse, b.free]).sort(), [
    [64, 1, 63],
    [64, 2, 62],
  ]);
});

test('the pod annotations Calico’s CNI plugin reads', () => {
  assert.deepEqual(ipamRequestOf({}), { kind: 'auto' });
  assert.deepEqual(ipamRequestOf({ 'cni.projectcalico.org/ipv4pools': '["secondary-ipv4-ippool"]' }), {
    kind: 'auto',
    pools: ['secondary-ipv4-ippool'],
  });
  assert.deepEqual(ipamRequestOf({ 'cni.projectcalico.org/ipAddrs': '["192.168.100.10"]', 'cni.projectcalico.org/ipv4pools': '["x"]' }), {
    kind: 'explicit',
    ip: '192.168.100.10',
  });
  assert.throws(() => ipamRequestOf({ 'cni.projectcalico.org/ipAddrs': '["10.0.0.1","10.0.0.2"]' }), /more than one IPv4/);
  assert.throws(() => ipamRequestOf({ 'cni.projectcalico.org/ipv4pools': 'secondary' }), /not a JSON list/);
});
