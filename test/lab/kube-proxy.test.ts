import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32, endpointChainName, serviceChainName, writtenProbability } from '../../support/net/kube-proxy.ts';
import { proxyRules, syncRestore } from '../../support/lab/kube-proxy/rules.ts';
import { natChainsIn } from '../../support/lab/kube-proxy/sync.ts';
import { endpointSliceOf, type LabService } from '../../support/lab/services/services.ts';

test("chain names are kube-proxy's: the course's own outputs", () => {
  assert.equal(serviceChainName('default/nginx-service:http', 'tcp'), 'KUBE-SVC-6IM33IEVEEV7U3GP');
  assert.equal(serviceChainName('kube-system/kube-dns:dns', 'UDP'), 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  assert.equal(serviceChainName('kube-system/kube-dns:dns-tcp', 'tcp'), 'KUBE-SVC-ERIFXISQEP7F7OF4');
  assert.equal(endpointChainName('default/nginx-service:http', 'tcp', '192.168.156.5:80'), 'KUBE-SEP-M6MI3YLHVX7DA53R');
  assert.equal(endpointChainName('default/nginx-service:http', 'tcp', '192.168.202.196:80'), 'KUBE-SEP-MJ46KNWYZBDUIDMY');
  assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI======'); // RFC 4648 test vector
});

test('probabilities are 1/(n-i) with ten decimals', () => {
  assert.deepEqual([3, 2].map(writtenProbability), ['0.3333333333', '0.5000000000']);
});

const nginx: LabService = {
  namespace: 'default',
  name: 'nginx-service',
  type: 'ClusterIP',
  clusterIP: '10.96.204.67',
  endpointSliceName: 'nginx-service-6zrf8',
  labels: {},
  selector: { app: 'nginx' },
  ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
};
const pod = (name: string, ip: string, node: string) => ({ namespace: 'default', name, ip, node, labels: { app: 'nginx' } });
const slice = endpointSliceOf(nginx, [pod('b', '192.168.202.196', 'w1'), pod('a', '192.168.156.5', 'w2')])!;

test("the course's nginx-service: KUBE-SERVICES jump, masquerade rule, one jump per endpoint, SEP chains", () => {
  const { restore, chains } = proxyRules({ services: [nginx], slices: [slice], clusterCIDR: '192.168.0.0/16' });
  const nat = restore.slice(restore.indexOf('*nat'));
  for (const line of [
    '-A KUBE-SERVICES -m comment --comment "default/nginx-service:http cluster IP" -m tcp -p tcp -d 10.96.204.67 --dport 80 -j KUBE-SVC-6IM33IEVEEV7U3GP',
    '-A KUBE-SVC-6IM33IEVEEV7U3GP -m comment --comment "default/nginx-service:http cluster IP" -m tcp -p tcp -d 10.96.204.67 --dport 80 ! -s 192.168.0.0/16 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-6IM33IEVEEV7U3GP -m comment --comment "default/nginx-service:http -> 192.168.156.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-M6MI3YLHVX7DA53R',
    '-A KUBE-SVC-6IM33IEVEEV7U3GP -m comment --comment "default/nginx-service:http -> 192.168.202.196:80" -j KUBE-SEP-MJ46KNWYZBDUIDMY',
    '-A KUBE-SEP-M6MI3YLHVX7DA53R -m comment --comment default/nginx-service:http -s 192.168.156.5 -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-M6MI3YLHVX7DA53R -m comment --comment default/nginx-service:http -m tcp -p tcp -j DNAT --to-destination 192.168.156.5:80',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  ])
    assert.ok(nat.includes(`${line}\n`), `missing: ${line}`);
  assert.ok(chains.nat.includes('KUBE-SEP-MJ46KNWYZBDUIDMY'));
});

test('headless Services get no rules; a Service without ready endpoints gets a REJECT in filter', () => {
  const headless = { ...nginx, name: 'redis', clusterIP: 'None' };
  const lonely = { ...nginx, name: 'lonely', clusterIP: '10.96.9.9' };
  const { restore } = proxyRules({ services: [headless, lonely], slices: [], clusterCIDR: '192.168.0.0/16' });
  assert.doesNotMatch(restore, /redis/);
  assert.doesNotMatch(restore, /KUBE-SVC-/);
  assert.match(
    restore,
    /-A KUBE-SERVICES -m comment --comment "default\/lonely:http has no endpoints" -m tcp -p tcp -d 10\.96\.9\.9 --dport 80 -j REJECT/,
  );
});

test('a sync deletes the chains of endpoints that are gone', () => {
  const rules = proxyRules({ services: [nginx], slices: [slice], clusterCIDR: '192.168.0.0/16' });
  const text = syncRestore(rules, ['KUBE-SERVICES', 'KUBE-SEP-GONEGONEGONEGONE', 'KUBE-SEP-M6MI3YLHVX7DA53R']);
  assert.match(text, /:KUBE-SEP-GONEGONEGONEGONE - \[0:0\]\n[\s\S]*-X KUBE-SEP-GONEGONEGONEGONE\nCOMMIT\n$/);
  assert.equal(syncRestore(rules, ['KUBE-SEP-M6MI3YLHVX7DA53R']), rules.restore);
});

test('the chains of a node, from its iptables-save (real output)', async () => {
  const { readFileSync } = await import('node:fs');
  const chains = natChainsIn(readFileSync(new URL('../fixtures/outputs/netns-node-iptables-save-nat.txt', import.meta.url), 'utf8'));
  assert.ok(chains.includes('KUBE-SVC-6IM33IEVEEV7U3GP'));
  assert.ok(chains.includes('PREROUTING'));
});
