import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EndpointSliceInfo, ServiceInfo } from '../../support/domain.ts';
import { parseIptablesRules } from '../../support/parse/iptables.ts';
import { serviceCauses } from '../../support/diagnosis/services.ts';

// A lab node's whole nat table (real output), and the Service and slice it was written for.
const listing = parseIptablesRules(readFileSync(new URL('../fixtures/outputs/netns-node-iptables-nat-S.txt', import.meta.url), 'utf8'));
const serviceRule = listing.rules.find(
  (rule) => rule.chain === 'KUBE-SERVICES' && rule.comment === 'default/nginx-service:http cluster IP',
);
const clusterIP = (serviceRule?.destination ?? '').replace('/32', '');
const endpoints = listing.rules
  .filter((rule) => rule.chain.startsWith('KUBE-SEP-') && rule.comment === 'default/nginx-service:http' && rule.jump === 'DNAT')
  .map((rule) => rule.toDestination as string);

const service: ServiceInfo = {
  namespace: 'default',
  name: 'nginx-service',
  type: 'ClusterIP',
  clusterIP,
  externalIPs: [],
  loadBalancerIngress: [],
  ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80, nodePort: undefined }],
  selector: { app: 'nginx' },
  labels: {},
};
const sliceOf = (addresses: string[]): EndpointSliceInfo => ({
  namespace: 'default',
  name: 'nginx-service-abcde',
  labels: { 'kubernetes.io/service-name': 'nginx-service' },
  addressType: 'IPv4',
  endpoints: addresses.map((address) => ({ addresses: [address], ready: true, hostname: undefined, nodeName: 'n', targetRef: undefined })),
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
});
const ips = endpoints.map((endpoint) => endpoint.split(':')[0] as string);

test('rules that follow the slice point to no cause', () => {
  assert.equal(endpoints.length, 2);
  assert.deepEqual(
    serviceCauses({ services: [service], slices: [sliceOf(ips)], tables: [{ node: 'n1', listing }], clusterCIDR: '192.168.0.0/16' }),
    [],
  );
});

test('a ready endpoint without a jump, a stale jump, a missing chain, masquerade for everyone are named', () => {
  const causes = serviceCauses({
    services: [service],
    slices: [sliceOf([ips[0] as string, '192.168.9.9'])],
    tables: [
      { node: 'n1', listing },
      { node: 'n2', listing: { tables: [], chains: [], rules: [] } },
    ],
    clusterCIDR: '10.244.0.0/16',
  });
  assert.ok(
    causes.some((cause) => /n1: KUBE-SVC-6IM33IEVEEV7U3GP has no jump to ready endpoint\(s\) 192\.168\.9\.9:80/.test(cause)),
    causes.join('\n'),
  );
  assert.ok(
    causes.some((cause) => cause.includes(`still jumps to ${endpoints[1]}`)),
    causes.join('\n'),
  );
  assert.ok(
    causes.some((cause) => /n2: KUBE-SERVICES has no rule for default\/nginx-service:http/.test(cause)),
    causes.join('\n'),
  );
  assert.ok(
    causes.some((cause) => /not only clients outside 10\.244\.0\.0\/16/.test(cause)),
    causes.join('\n'),
  );
});
