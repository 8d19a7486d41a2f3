import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocateClusterIP,
  endpointSliceOf,
  readyAddresses,
  staticBandSize,
  type LabService,
} from '../../support/lab/services/services.ts';
import { endpointSlices, planLab } from '../../support/lab/model.ts';
import { loadLabSpec } from '../../support/lab/spec.ts';
import { podTemplateHash } from '../../support/lab/naming.ts';
import { cidrContains, ipToInt } from '../../support/net/cidr.ts';

const seeded = () => {
  let n = 7;
  return (max: number) => (n = (n * 1103515245 + 12345) % 2 ** 31) % max;
};

test('kubeadm Services sit at the first and tenth address; others come from the upper band', () => {
  const state = planLab(loadLabSpec(), seeded());
  const ip = (name: string) => state.services.find((s) => s.name === name)?.clusterIP;
  assert.equal(ip('kubernetes'), '10.96.0.1');
  assert.equal(ip('kube-dns'), '10.96.0.10');
  assert.equal(state.dnsServiceIP, ip('kube-dns'));
  const nginx = ip('nginx-service')!;
  assert.ok(cidrContains('10.96.0.0/16', nginx));
  assert.ok(ipToInt(nginx) >= ipToInt('10.96.1.1'), `${nginx} is above the static band`);
});

test('the static band is min(max(16, size/16), 256), as the apiserver computes it', () => {
  assert.equal(staticBandSize('10.96.0.0/16'), 256);
  assert.equal(staticBandSize('10.96.0.0/24'), 16);
  assert.equal(staticBandSize('10.96.0.0/29'), 0);
  assert.equal(
    allocateClusterIP('10.96.0.0/30', [], () => 0),
    '10.96.0.1',
  );
  assert.throws(() => allocateClusterIP('10.96.0.0/30', ['10.96.0.1', '10.96.0.2'], () => 0), /full/);
});

test('a Deployment gets ReplicaSet-style pod names on workers, and its Service an EndpointSlice of its ready pods', () => {
  const state = planLab(loadLabSpec(), seeded());
  const nginx = state.pods.filter((pod) => pod.workload === 'nginx-deployment');
  assert.equal(nginx.length, 2);
  for (const pod of nginx) {
    assert.match(pod.name, /^nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod.ownerKind, 'ReplicaSet');
    assert.ok(state.nodes.find((node) => node.name === pod.node)?.role === 'worker');
  }
  const slice = endpointSlices(state).find((s) => s.labels['kubernetes.io/service-name'] === 'nginx-service');
  assert.deepEqual(slice?.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  assert.deepEqual(readyAddresses(slice).sort(), nginx.map((pod) => pod.ip).sort());
  // kubernetes has no selector: its slice is the API server's own, the control-plane's address and port 6443.
  const apiserver = endpointSlices(state).find((s) => s.labels['kubernetes.io/service-name'] === 'kubernetes');
  const controlPlane = state.nodes.find((node) => node.role === 'control-plane');
  assert.deepEqual(
    apiserver?.endpoints.map((e) => e.addresses[0]),
    [controlPlane?.ip],
  );
  assert.deepEqual(apiserver?.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
});

test('a not-ready pod stays in the slice with ready false; named target ports resolve per pod; hostname needs the subdomain', () => {
  const service: LabService = {
    namespace: 'default',
    name: 'redis',
    type: 'ClusterIP',
    clusterIP: 'None',
    endpointSliceName: 'redis-abcde',
    labels: {},
    selector: { app: 'redis' },
    ports: [{ name: 'redis', port: 6379, protocol: 'TCP', targetPort: 'redis' }],
  };
  const pods = [
    {
      namespace: 'default',
      name: 'redis-0',
      node: 'w1',
      ip: '192.168.1.1',
      labels: { app: 'redis' },
      hostname: 'redis-0',
      subdomain: 'redis',
      ports: { redis: { port: 6379, protocol: 'TCP' as const } },
    },
    {
      namespace: 'default',
      name: 'redis-1',
      node: 'w2',
      ip: '192.168.1.2',
      labels: { app: 'redis' },
      ready: false,
      hostname: 'redis-1',
      subdomain: 'other',
    },
    { namespace: 'foo', name: 'redis-2', node: 'w2', ip: '192.168.1.3', labels: { app: 'redis' } },
  ];
  const slice = endpointSliceOf(service, pods)!;
  assert.deepEqual(slice.ports, [{ name: 'redis', port: 6379, protocol: 'TCP' }]);
  assert.deepEqual(
    slice.endpoints.map((e) => [e.addresses[0], e.conditions.ready, e.hostname]),
    [
      ['192.168.1.1', true, 'redis-0'],
      ['192.168.1.2', false, undefined],
    ],
  );
  assert.deepEqual(readyAddresses(slice), ['192.168.1.1']);
});

test("the pod-template-hash has the controller's form and follows the template", () => {
  const a = podTemplateHash({ spec: { containers: [{ name: 'nginx' }] } });
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(a, podTemplateHash({ spec: { containers: [{ name: 'nginx' }] } }));
  assert.notEqual(a, podTemplateHash({ spec: { containers: [{ name: 'nginx2' }] } }));
});
