import { test } from 'node:test';
import assert from 'node:assert/strict';
import { externalChainName } from '../../support/net/kube-proxy.ts';
import { proxyRules } from '../../support/lab/kube-proxy/rules.ts';
import { admitServices, allocateNodePort, endpointSliceOf, type LabService } from '../../support/lab/services/services.ts';
import { assignLoadBalancerIPs } from '../../support/lab/loadbalancer/lb-ipam.ts';
import { Ipam } from '../../support/lab/ipam/ipam.ts';

test("the KUBE-EXT chain's name is kube-proxy's hash of the port name and protocol (the catalogue's L08-09)", () => {
  assert.equal(externalChainName('default/lb-nginx-service:default', 'tcp'), 'KUBE-EXT-7XCKQ6TNE3TNVSQP');
  assert.equal(externalChainName('default/lb-nginx-service:default', 'TCP'), 'KUBE-EXT-7XCKQ6TNE3TNVSQP');
});

test('a dynamic nodePort comes from the upper band of 30000-32767 first, then the lower band', () => {
  assert.equal(
    allocateNodePort([], () => 0),
    30086,
  );
  const upper = Array.from({ length: 32768 - 30086 }, (_, i) => 30086 + i);
  assert.equal(
    allocateNodePort(upper, () => 0),
    30000,
  );
  assert.throws(() => allocateNodePort([...upper, ...Array.from({ length: 86 }, (_, i) => 30000 + i)], () => 0), /full/);
});

test('a LoadBalancer Service gets a nodePort; a ClusterIP Service none; a requested nodePort is kept', () => {
  const services = admitServices(
    '10.96.0.0/16',
    [
      {
        namespace: 'default',
        name: 'a',
        type: 'ClusterIP',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        selector: {},
        labels: {},
      },
      {
        namespace: 'default',
        name: 'b',
        type: 'LoadBalancer',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        selector: {},
        labels: {},
      },
      {
        namespace: 'default',
        name: 'c',
        type: 'NodePort',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31000 }],
        selector: {},
        labels: {},
      },
    ],
    () => 0,
    (name) => `${name}-xxxxx`,
  );
  assert.equal(services[0]?.ports[0]?.nodePort, undefined);
  assert.equal(services[1]?.ports[0]?.nodePort, 30086);
  assert.equal(services[2]?.ports[0]?.nodePort, 31000);
});

const pools = [
  { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26 },
  { name: 'loadbalancer-ip-pool', cidr: '172.16.0.240/28', blockSize: 28, allowedUses: ['LoadBalancer' as const] },
];
const lbService: LabService = {
  namespace: 'default',
  name: 'lb-nginx-service',
  type: 'LoadBalancer',
  clusterIP: '10.96.1.2',
  endpointSliceName: 'lb-nginx-service-abcde',
  labels: {},
  selector: { app: 'nginx' },
  ports: [{ name: 'default', port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31234 }],
};

test("Calico's LoadBalancer IPAM: the address comes from the LoadBalancer pool, in a block of the virtual node load-balancer", () => {
  const { services, ipam } = assignLoadBalancerIPs([lbService], new Ipam(pools).toState());
  assert.equal(services[0]?.loadBalancerIP, '172.16.0.240');
  const affinities = Ipam.fromState(ipam).affinities();
  assert.deepEqual(
    affinities.map((affinity) => [affinity.name, affinity.node, affinity.type]),
    [['load-balancer-172-16-0-240-28', 'load-balancer', 'virtual']],
  );
  const again = assignLoadBalancerIPs(services, ipam);
  assert.equal(again.services[0]?.loadBalancerIP, '172.16.0.240', 'a Service keeps its address');
});

test('without a LoadBalancer pool, or for a ClusterIP Service, no address is assigned', () => {
  assert.equal(assignLoadBalancerIPs([lbService], new Ipam(pools.slice(0, 1)).toState()).services[0]?.loadBalancerIP, undefined);
  const plain = { ...lbService, type: 'ClusterIP' as const };
  assert.equal(assignLoadBalancerIPs([plain], new Ipam(pools).toState()).services[0]?.loadBalancerIP, undefined);
});

test("kube-proxy's rules for a LoadBalancer Service: loadbalancer IP and nodePort into KUBE-EXT, which masquerades and jumps to KUBE-SVC", () => {
  const service = { ...lbService, loadBalancerIP: '172.16.0.240' };
  const slice = endpointSliceOf(service, [{ namespace: 'default', name: 'n1', ip: '192.168.1.5', node: 'w1', labels: { app: 'nginx' } }])!;
  const { restore, chains } = proxyRules({ services: [service], slices: [slice], clusterCIDR: '192.168.0.0/16' });
  const svc = 'KUBE-SVC-';
  const svcChain = chains.nat.find((chain) => chain.startsWith(svc))!;
  for (const line of [
    '-A KUBE-SERVICES -m comment --comment "default/lb-nginx-service:default loadbalancer IP" -m tcp -p tcp -d 172.16.0.240 --dport 80 -j KUBE-EXT-7XCKQ6TNE3TNVSQP',
    '-A KUBE-NODEPORTS -m comment --comment default/lb-nginx-service:default -m tcp -p tcp --dport 31234 -j KUBE-EXT-7XCKQ6TNE3TNVSQP',
    '-A KUBE-EXT-7XCKQ6TNE3TNVSQP -m comment --comment "masquerade traffic for default/lb-nginx-service:default external destinations" -j KUBE-MARK-MASQ',
    `-A KUBE-EXT-7XCKQ6TNE3TNVSQP -j ${svcChain}`,
  ])
    assert.ok(restore.includes(`${line}\n`), `missing: ${line}`);
  assert.ok(chains.nat.includes('KUBE-EXT-7XCKQ6TNE3TNVSQP'));
  const bent = proxyRules({
    services: [service],
    slices: [slice],
    clusterCIDR: '192.168.0.0/16',
    externalWithoutMasquerade: true,
    withoutLoadBalancerRules: true,
  });
  assert.doesNotMatch(bent.restore, /masquerade traffic for/);
  assert.doesNotMatch(bent.restore, /loadbalancer IP/);
});

test('with --nodeport-addresses, KUBE-SERVICES jumps to KUBE-NODEPORTS once per admitted address instead of for every local one (kube-proxy iptables proxier)', () => {
  const service = { ...lbService, loadBalancerIP: '172.16.0.240' };
  const slice = endpointSliceOf(service, [{ namespace: 'default', name: 'n1', ip: '192.168.1.5', node: 'w1', labels: { app: 'nginx' } }])!;
  const input = { services: [service], slices: [slice], clusterCIDR: '192.168.0.0/16' };
  const tail = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';
  const open = proxyRules(input).restore;
  assert.ok(open.includes(`-A KUBE-SERVICES -m comment --comment "${tail}" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n`));
  const narrowed = proxyRules({ ...input, nodePortAddresses: ['172.18.0.3'] }).restore;
  assert.ok(narrowed.includes(`-A KUBE-SERVICES -d 172.18.0.3/32 -m comment --comment "${tail}" -j KUBE-NODEPORTS\n`));
  assert.doesNotMatch(narrowed, /addrtype/);
  assert.match(narrowed, /-A KUBE-NODEPORTS .*--dport 31234 -j KUBE-EXT-7XCKQ6TNE3TNVSQP/, 'the nodePort rules themselves stay');
});

const second: LabService = { ...lbService, name: 'lb-second', clusterIP: '10.96.1.3', endpointSliceName: 'lb-second-abcde' };

test("LoadBalancer IPAM hands out a new block's ordinals front first, network address included (Calico v3.30.0 newBlock, assignIP without HostReservedAttr)", () => {
  const { services } = assignLoadBalancerIPs([lbService, second], new Ipam(pools).toState());
  assert.deepEqual(
    services.map((service) => service.loadBalancerIP),
    ['172.16.0.240', '172.16.0.241'],
    "the pool's first address first: the course's .241 needs .240 held before",
  );
});

test('LoadBalancer IPAM: .241 comes first only when .240 is reserved, and a released .240 goes to the back of the list', () => {
  const reserved = new Ipam(pools, [], [{ name: 'hold-240', cidrs: ['172.16.0.240/32'] }]).toState();
  assert.equal(assignLoadBalancerIPs([lbService], reserved).services[0]?.loadBalancerIP, '172.16.0.241');
  const first = assignLoadBalancerIPs([lbService], new Ipam(pools).toState());
  const ipam = Ipam.fromState(first.ipam);
  ipam.release('172.16.0.240');
  assert.equal(assignLoadBalancerIPs([second], ipam.toState()).services[0]?.loadBalancerIP, '172.16.0.241');
});
