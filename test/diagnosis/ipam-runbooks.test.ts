/** The IPAM runbooks' causes, from evidence as the lab's faults leave it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlockAffinity, IpPool, NodeInfo, PodInfo } from '../../support/domain.ts';
import type { Gathered, NodeView } from '../../support/diagnosis/evidence.ts';
import { runbooksFor } from '../../support/diagnosis/runbooks.ts';

const node = (name: string, ip: string): NodeInfo => ({ name, role: 'worker', internalIP: ip, ready: true });
const pod = (name: string, nodeName: string, ip: string | undefined, annotations: Record<string, string> = {}): PodInfo => ({
  namespace: 'default',
  name,
  node: nodeName,
  ip,
  phase: ip ? 'Running' : 'Pending',
  containers: [],
  workload: name,
  owner: undefined,
  hostNetwork: false,
  labels: {},
  annotations,
});
const pool = (name: string, cidr: string, nodeSelector = 'all()'): IpPool => ({
  name,
  cidr,
  blockSize: 26,
  encapsulation: 'VXLANCrossSubnet',
  natOutgoing: true,
  nodeSelector,
  allowedUses: ['Workload', 'Tunnel'],
  disableBGPExport: false,
  mtu: 1450,
});
const view = (name: string, ip: string, natOutgoingRules: string[]): NodeView => ({
  node: node(name, ip),
  routes: [],
  interfaces: [],
  natRules: [],
  proxyArp: {},
  cniConfigs: [],
  natOutgoingRules,
});

function evidence(over: Partial<Gathered>): Gathered {
  return {
    source: undefined,
    target: undefined,
    nodes: [],
    sourcePodRoutes: undefined,
    sourcePodInterfaces: undefined,
    lookup: undefined,
    pods: [],
    blocks: [],
    events: undefined,
    ipam: { pools: [], installationPools: [], affinities: [], reservations: [] },
    evidence: [],
    ...over,
  };
}

function causes(claim: string, gathered: Gathered): string[] {
  return runbooksFor([claim]).flatMap((runbook) => runbook.causes(gathered));
}

test('natOutgoing: a missing rule, and a rule without the pools exclusion', () => {
  const off = causes('L01-08', evidence({ nodes: [view('w1', '172.18.0.3', [])] }));
  assert.match(off.join('\n'), /w1 has no MASQUERADE rule in cali-nat-outgoing/);
  const broad = causes(
    'L01-08',
    evidence({
      nodes: [view('w1', '172.18.0.3', ['-A cali-nat-outgoing -m set --match-set cali40masq-ipam-pools src -j MASQUERADE --random-fully'])],
    }),
  );
  assert.match(broad.join('\n'), /masquerades without excluding destinations inside the pools/);
});

test('IPAM objects: an IPPool edited after install, an affinity named off the rule or pointing at the wrong node', () => {
  const pools = [pool('default-ipv4-ippool', '192.168.0.0/16', '!all()')];
  const installationPools = [{ ...pool('default-ipv4-ippool', '192.168.0.0/16'), mtu: undefined }];
  const affinities: BlockAffinity[] = [
    { name: 'ipam-block-affinity-192-168-1-0-26', node: 'w2', cidr: '192.168.1.0/26', state: 'confirmed', deleted: 'false', type: 'host' },
  ];
  const found = causes(
    'L01-06',
    evidence({
      ipam: { pools, installationPools, affinities, reservations: [] },
      blocks: [{ cidr: '192.168.1.0/26', node: 'w2', allocations: [{ ip: '192.168.1.1', holder: 'default/a' }] }],
      pods: [pod('a', 'w1', '192.168.1.1')],
    }),
  ).join('\n');
  assert.match(found, /nodeSelector !all\(\) where the Installation declares all\(\)/);
  assert.match(found, /not named <node>-<cidr>: for w2 192\.168\.1\.0\/26 Calico would name it w2-192-168-1-0-26/);
  assert.match(found, /affine to w2, but its pods run on w1: the BlockAffinity points at the wrong node/);
});

test('fixed addresses: a reserved address handed out automatically, an ipAddrs request not honoured, one address twice', () => {
  const found = causes(
    'L16-04',
    evidence({
      ipam: {
        pools: [pool('default-ipv4-ippool', '192.168.0.0/16')],
        installationPools: [],
        affinities: [],
        reservations: [{ name: 'reserved-ips', reservedCIDRs: ['192.168.100.8/29'] }],
      },
      pods: [
        pod('auto', 'w1', '192.168.100.9'),
        pod('static', 'w1', '192.168.7.3', { 'cni.projectcalico.org/ipAddrs': '["192.168.100.10"]' }),
        pod('twin-a', 'w1', '192.168.100.12', { 'cni.projectcalico.org/ipAddrs': '["192.168.100.12"]' }),
        pod('twin-b', 'w1', '192.168.100.12', { 'cni.projectcalico.org/ipAddrs': '["192.168.100.12"]' }),
      ],
    }),
  ).join('\n');
  assert.match(found, /auto got 192\.168\.100\.9 automatically, inside IPReservation reserved-ips/);
  assert.match(found, /static asks for 192\.168\.100\.10 \(cni\.projectcalico\.org\/ipAddrs\) but has 192\.168\.7\.3/);
  assert.match(found, /192\.168\.100\.12 is held by twin-a and twin-b/);
});
