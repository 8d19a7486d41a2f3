import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { parseEndpointSlice, parseService } from '../../support/cluster/kind/parse-services.ts';

// Shaped as `kubectl get -o json` prints the course's nginx-service and its slice (lesson 04).
const service = {
  metadata: { name: 'nginx-service', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.96.204.67',
    clusterIPs: ['10.96.204.67'],
    selector: { app: 'nginx' },
    ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
  },
} as unknown as V1Service;

const slice = {
  metadata: { name: 'nginx-service-6zrf8', namespace: 'default', labels: { 'kubernetes.io/service-name': 'nginx-service' } },
  addressType: 'IPv4',
  endpoints: [
    {
      addresses: ['192.168.156.5'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'k8-services-worker2',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'nginx-deployment-55d7bb4b86-vg4lt' },
    },
    { addresses: ['192.168.202.196'], conditions: {}, nodeName: 'k8-services-worker' },
    { addresses: ['192.168.202.197'], conditions: { ready: false } },
  ],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
} as unknown as V1EndpointSlice;

test('a Service: type, ClusterIP, ports with their names, selector', () => {
  const info = parseService(service);
  assert.equal(info.type, 'ClusterIP');
  assert.equal(info.clusterIP, '10.96.204.67');
  assert.deepEqual(info.externalIPs, []);
  assert.deepEqual(info.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80, nodePort: undefined }]);
  assert.deepEqual(info.selector, { app: 'nginx' });
  const headless = parseService({
    metadata: { name: 'h', namespace: 'd' },
    spec: { clusterIP: 'None', ports: [{ port: 6379, targetPort: 'redis' }] },
  } as unknown as V1Service);
  assert.equal(headless.clusterIP, 'None');
  assert.deepEqual(headless.ports[0], { name: undefined, port: 6379, protocol: 'TCP', targetPort: 'redis', nodePort: undefined });
});

test('an EndpointSlice: a missing ready condition means ready (discovery.k8s.io/v1)', () => {
  const info = parseEndpointSlice(slice);
  assert.deepEqual(
    info.endpoints.map((e) => [e.addresses[0], e.ready]),
    [
      ['192.168.156.5', true],
      ['192.168.202.196', true],
      ['192.168.202.197', false],
    ],
  );
  assert.deepEqual(info.endpoints[0]?.targetRef, { kind: 'Pod', namespace: 'default', name: 'nginx-deployment-55d7bb4b86-vg4lt' });
  assert.equal(info.endpoints[1]?.targetRef, undefined);
  assert.deepEqual(info.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
});

// Shaped as the API returns the course's lb-nginx-service (lesson 08) once Calico's LoadBalancer IPAM gave it an address.
const lbService = {
  metadata: { name: 'lb-nginx-service', namespace: 'default' },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '10.96.81.140',
    selector: { app: 'nginx' },
    ports: [{ name: 'default', port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31722 }],
    externalTrafficPolicy: 'Cluster',
  },
  status: { loadBalancer: { ingress: [{ ip: '172.16.0.240', ipMode: 'VIP' }] } },
} as unknown as V1Service;

test('a LoadBalancer Service: its nodePort and the address in status.loadBalancer.ingress', () => {
  const info = parseService(lbService);
  assert.equal(info.type, 'LoadBalancer');
  assert.deepEqual(info.loadBalancerIngress, ['172.16.0.240']);
  assert.equal(info.ports[0]?.nodePort, 31722);
  assert.deepEqual(parseService(service).loadBalancerIngress, []);
});

// Issue 24: what a real API server never sends, or sends in a shape this reading does not model, is refused.
test('a Service refused where the reading would be wrong: no port number, a port out of range, an unknown protocol or type, an empty ingress, no name', () => {
  const withPorts = (ports: unknown[]) => ({ ...service, spec: { ...service.spec, ports } }) as unknown as V1Service;
  assert.throws(
    () => parseService(withPorts([{ name: 'http', protocol: 'TCP', targetPort: 80 }])),
    /parseService: Service nginx-service: port undefined is not a port number/,
  );
  assert.throws(() => parseService(withPorts([{ port: 70000 }])), /port 70000 is not a port number/);
  assert.throws(() => parseService(withPorts([{ port: 80, targetPort: 0 }])), /targetPort 0 is not a port number/);
  assert.throws(() => parseService(withPorts([{ port: 80, protocol: 'ICMP' }])), /protocol "ICMP" is not TCP, UDP or SCTP/);
  assert.throws(() => parseService({ ...service, spec: { ...service.spec, type: 'Headless' } } as unknown as V1Service), /type "Headless"/);
  assert.throws(
    () => parseService({ ...service, status: { loadBalancer: { ingress: [{ ports: [] }] } } } as unknown as V1Service),
    /ingress with neither ip nor hostname/,
  );
  // A cloud load balancer's hostname-only ingress is valid API data with no address to read: one
  // such Service must not make the whole listing fail.
  assert.deepEqual(
    parseService({
      ...service,
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }, { ip: '172.16.0.240' }] } },
    } as unknown as V1Service).loadBalancerIngress,
    ['172.16.0.240'],
  );
  assert.throws(() => parseService({ ...service, metadata: { namespace: 'default' } } as unknown as V1Service), /without metadata.name/);
  // What the server's defaulting fills in is read with its default.
  assert.deepEqual(parseService(withPorts([{ port: 53, protocol: 'UDP' }])).ports[0], {
    name: undefined,
    port: 53,
    protocol: 'UDP',
    targetPort: 53,
    nodePort: undefined,
  });
});

test('an EndpointSlice refused where the reading would be wrong: an unknown address type, an endpoint without addresses, a bad port', () => {
  assert.throws(() => parseEndpointSlice({ ...slice, addressType: 'IPv5' } as unknown as V1EndpointSlice), /addressType "IPv5"/);
  assert.throws(
    () => parseEndpointSlice({ ...slice, endpoints: [{ addresses: [], conditions: {} }] } as unknown as V1EndpointSlice),
    /an endpoint without addresses/,
  );
  assert.throws(
    () => parseEndpointSlice({ ...slice, ports: [{ name: 'http', port: -1 }] } as unknown as V1EndpointSlice),
    /port -1 is not a port number/,
  );
  // A port without a number means every port (discovery.k8s.io/v1): read as such, not refused.
  assert.deepEqual(parseEndpointSlice({ ...slice, ports: [{ name: '' }] } as unknown as V1EndpointSlice).ports, [
    { name: undefined, port: undefined, protocol: undefined },
  ]);
});
