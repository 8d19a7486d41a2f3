import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeInfo, PodInfo } from '../../support/domain.ts';
import { buildPath, renderPathSvg } from '../../support/diagnosis/path.ts';

const pod = (name: string, node: string, ip: string): PodInfo => ({
  namespace: 'default',
  name,
  node,
  ip,
  phase: 'Running',
  containers: [],
  workload: name,
  owner: undefined,
  hostNetwork: false,
  labels: {},
  annotations: {},
});
const nodes: NodeInfo[] = [
  { name: 'w1', role: 'worker', internalIP: '172.18.0.3', ready: true },
  { name: 'w2', role: 'worker', internalIP: '172.18.0.4', ready: true },
];

test('a cross-node path has two routing hops: the request arrives with TTL 62', () => {
  const hops = buildPath({
    source: pod('a', 'w1', '192.168.1.2'),
    target: pod('b', 'w2', '192.168.2.2'),
    sourceHost: 'calia',
    targetHost: 'calib',
    nodes,
    lookup: { dst: '192.168.2.2', type: 'unicast', gateway: '172.18.0.4', dev: 'eth0' },
    observedTtls: [62],
  });
  assert.deepEqual(
    hops.map((hop) => hop.kind),
    ['pod', 'host-interface', 'node', 'node', 'host-interface', 'pod'],
  );
  assert.equal(hops.at(-1)?.ttl, 62);
});

test('a gateway that is not the destination node shows as a router and costs one more hop', () => {
  const hops = buildPath({
    source: pod('a', 'w1', '192.168.1.2'),
    target: pod('b', 'w2', '192.168.2.2'),
    sourceHost: 'calia',
    targetHost: 'calib',
    nodes,
    lookup: { dst: '192.168.2.2', type: 'unicast', gateway: '172.18.0.1', dev: 'eth0' },
    observedTtls: [61],
  });
  assert.ok(hops.some((hop) => hop.kind === 'router' && hop.title === 'router 172.18.0.1'));
  assert.equal(hops.at(-1)?.ttl, 61);
});

test('a same-node path is routed once: TTL 63', () => {
  const hops = buildPath({
    source: pod('a', 'w1', '192.168.1.2'),
    target: pod('b', 'w1', '192.168.1.3'),
    sourceHost: 'calia',
    targetHost: 'calib',
    nodes,
    lookup: { dst: '192.168.1.3', type: 'unicast', dev: 'calib' },
    observedTtls: [63],
  });
  assert.equal(hops.filter((hop) => hop.kind === 'node').length, 1);
  assert.equal(hops.at(-1)?.ttl, 63);
});

test('the picture is an SVG with every hop, escaped, and the observed TTLs', () => {
  const svg = renderPathSvg([{ kind: 'pod', title: 'pod <x>', lines: ['a & b'], ttl: 64 }], [61, 61]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /pod &lt;x&gt;/);
  assert.match(svg, /a &amp; b/);
  assert.match(svg, /replies came back with TTL 61/);
});

test('across subnets the source node encapsulates, the router routes only the outer packet, the target node decapsulates: TTL 62', () => {
  const overlayNodes: NodeInfo[] = [
    { name: 'w1', role: 'worker', internalIP: '10.10.10.11', ready: true, calico: { ipv4Address: '10.10.10.11/24' } },
    { name: 'w3', role: 'worker', internalIP: '10.10.20.20', ready: true, calico: { ipv4Address: '10.10.20.20/24' } },
  ];
  const hops = buildPath({
    source: pod('a', 'w1', '192.168.1.2'),
    target: pod('b', 'w3', '192.168.2.2'),
    sourceHost: 'calia',
    targetHost: 'calib',
    nodes: overlayNodes,
    lookup: { dst: '192.168.2.2', type: 'unicast', gateway: '192.168.2.0', dev: 'vxlan.calico' },
    observedTtls: [62],
    encapsulation: {
      device: 'vxlan.calico',
      outerSrc: '10.10.10.11',
      outerDst: '10.10.20.20',
      underlay: { dst: '10.10.20.20', type: 'unicast', gateway: '10.10.10.1', dev: 'eth1' },
    },
  });
  assert.deepEqual(
    hops.map((hop) => hop.kind),
    ['pod', 'host-interface', 'node', 'router', 'node', 'host-interface', 'pod'],
  );
  assert.ok(hops[2]?.lines.some((line) => line === 'encapsulated here: 10.10.10.11 > 10.10.20.20'));
  assert.ok(hops[4]?.lines.includes('decapsulated on vxlan.calico'));
  assert.equal(hops.at(-1)?.ttl, 62);
  assert.match(renderPathSvg(hops, [62]), /routes the outer VXLAN packet/);
});
