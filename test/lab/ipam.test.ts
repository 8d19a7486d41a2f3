import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, cidrsOverlap } from '../../support/net/cidr.ts';
import { Ipam, IpamExhaustedError } from '../../support/lab/ipam/ipam.ts';

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
  assert.deepEqual(block.allocations.map((a) => a.holder), ['default/a', 'default/b']);
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

test('an exhausted pool is a clear error', () => {
  const ipam = new Ipam({ cidr: '10.0.0.0/29', blockSize: 30 });
  ipam.assign('n1', 'x/1');
  ipam.assign('n2', 'x/2');
  assert.throws(() => ipam.assign('n3', 'x/3'), IpamExhaustedError);
});

test('state survives a round trip through the state file format', () => {
  const ipam = new Ipam(pool);
  ipam.assign('n1', 'x/1');
  const copy = Ipam.fromState(JSON.parse(JSON.stringify(ipam.toState())));
  assert.deepEqual(copy.view(), ipam.view());
  assert.notEqual(copy.assign('n1', 'x/2'), ipam.view()[0]?.allocations[0]?.ip);
});
