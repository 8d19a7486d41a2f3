import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerClusterQuestion, isClusterName, type ClusterDnsView } from '../../support/lab/dns/records.ts';

// The course's lesson 11 cluster, as the plugin would see it.
const view: ClusterDnsView = {
  namespaces: ['default', 'kube-system', 'foo'],
  serial: 1700000000,
  services: [
    { namespace: 'default', name: 'nginx-service', clusterIP: '10.96.169.109', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    { namespace: 'default', name: 'nginx-headless', clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    { namespace: 'default', name: 'redis-headless', clusterIP: 'None', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] },
  ],
  endpointSlices: [
    {
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'redis-headless' },
      endpoints: [
        { addresses: ['192.168.202.195'], conditions: { ready: true }, hostname: 'redis-0' },
        { addresses: ['192.168.156.4'], conditions: { ready: true }, hostname: 'redis-1' },
        { addresses: ['192.168.145.10'], conditions: { ready: true }, hostname: 'redis-2' },
      ],
      ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }],
    },
    {
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'nginx-headless' },
      endpoints: [
        { addresses: ['192.168.156.5'], conditions: { ready: true } },
        { addresses: ['192.168.202.196'], conditions: { ready: true } },
        { addresses: ['192.168.202.197'], conditions: { ready: false } },
      ],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  ],
};

const a = (name: string, type = 'A') => answerClusterQuestion(view, name, type);
const data = (answer: ReturnType<typeof a>) => answer.answers.map((record) => (record as { data: unknown }).data);

test('a ClusterIP Service answers its address with TTL 30, authoritatively and without authority records', () => {
  const answer = a('nginx-service.default.svc.cluster.local.');
  assert.equal(answer.rcode, 'NOERROR');
  assert.deepEqual(data(answer), ['10.96.169.109']);
  assert.equal((answer.answers[0] as { ttl?: number }).ttl, 30);
  assert.deepEqual(answer.authorities, []);
});

test('a headless Service answers one A record per ready endpoint', () => {
  assert.deepEqual(data(a('redis-headless.default.svc.cluster.local')).sort(), ['192.168.145.10', '192.168.156.4', '192.168.202.195']);
  assert.deepEqual(data(a('nginx-headless.default.svc.cluster.local')).sort(), ['192.168.156.5', '192.168.202.196']);
});

test('a StatefulSet pod answers under <hostname>.<service>; a Deployment pod only under its dashed IP', () => {
  assert.deepEqual(data(a('redis-1.redis-headless.default.svc.cluster.local')), ['192.168.156.4']);
  assert.equal(a('nginx-deployment-55d7bb4b86-vg4lt.nginx-headless.default.svc.cluster.local').rcode, 'NXDOMAIN');
  assert.deepEqual(data(a('192-168-156-5.nginx-headless.default.svc.cluster.local')), ['192.168.156.5']);
});

test('SRV for a named port: one record per endpoint, weight 100/n, the targets in the additional section', () => {
  const answer = a('_redis._tcp.redis-headless.default.svc.cluster.local', 'SRV');
  assert.deepEqual(
    answer.answers
      .map((record) => (record as { data: { target: string; port: number; weight: number; priority: number } }).data)
      .sort((x, y) => x.target.localeCompare(y.target)),
    ['redis-0', 'redis-1', 'redis-2'].map((host) => ({
      priority: 0,
      weight: 33,
      port: 6379,
      target: `${host}.redis-headless.default.svc.cluster.local`,
    })),
  );
  assert.equal(answer.additionals.length, 3);
  assert.equal(a('_http._udp.redis-headless.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
});

test('unknown cluster names are NXDOMAIN with the zone SOA; known names without the type are NODATA', () => {
  for (const name of [
    'nginx-service.foo.svc.cluster.local',
    'nginx-service.svc.cluster.local',
    'nginx-service.cluster.local',
    'x.nosuchns.svc.cluster.local',
  ]) {
    const answer = a(name);
    assert.equal(answer.rcode, 'NXDOMAIN', name);
    assert.equal(answer.authorities[0]?.type, 'SOA');
  }
  const nodata = a('nginx-service.default.svc.cluster.local', 'AAAA');
  assert.equal(nodata.rcode, 'NOERROR');
  assert.deepEqual(nodata.answers, []);
  assert.equal(nodata.authorities[0]?.type, 'SOA');
  assert.equal(a('default.svc.cluster.local').rcode, 'NOERROR');
});

test('pods insecure: a dashed address in an existing namespace answers that address', () => {
  assert.deepEqual(data(a('10-0-0-7.foo.pod.cluster.local')), ['10.0.0.7']);
  assert.equal(a('10-0-0-7.nosuchns.pod.cluster.local').rcode, 'NXDOMAIN');
  assert.equal(a('not-an-ip.default.pod.cluster.local').rcode, 'NXDOMAIN');
  assert.equal(answerClusterQuestion({ ...view, podRecords: false }, '10-0-0-7.foo.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
});

test('only cluster.local is the plugin’s; the rest is forwarded', () => {
  assert.ok(isClusterName('Nginx-Service.Default.svc.Cluster.Local.'));
  assert.ok(!isClusterName('nginx-service.'));
  assert.ok(!isClusterName('www.example.org'));
});
