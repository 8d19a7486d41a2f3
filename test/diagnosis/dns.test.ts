import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { PodInfo } from '../../support/domain.ts';
import { dnsCauses, type DnsEvidence } from '../../support/diagnosis/dns.ts';
import { parseDig } from '../../support/parse/dig.ts';

const output = (name: string) => parseDig(readFileSync(new URL(`../fixtures/outputs/${name}`, import.meta.url), 'utf8'));
const pod = { name: 'multitool-1-abcde', namespace: 'default', node: 'podnet-worker', ip: '192.168.1.2' } as PodInfo;
const healthy: DnsEvidence = {
  pod,
  resolv: {
    nameservers: ['10.96.0.10'],
    search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    options: { ndots: '5' },
  },
  dnsServiceIP: '10.96.0.10',
  slices: [
    {
      namespace: 'kube-system',
      name: 'kube-dns-x',
      labels: {},
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.168.0.5'], ready: true, hostname: undefined, nodeName: 'n', targetRef: undefined }],
      ports: [],
    },
  ],
  viaService: output('netns-dig-search-service.txt'),
  direct: [{ ip: '192.168.0.5', answer: output('netns-dig-search-service.txt') }],
  outsideFromPod: output('netns-dig-forwarded.txt'),
  outsideFromUpstream: output('netns-dig-forwarded.txt'),
  upstream: '172.18.0.1',
};

test('a healthy cluster DNS points to no cause', () => {
  assert.deepEqual(dnsCauses(healthy), []);
});

test('the causes follow the evidence: resolv.conf, endpoints, the servers, kube-proxy, forwarding', () => {
  assert.match(
    dnsCauses({ ...healthy, resolv: { ...healthy.resolv!, search: ['svc.cluster.local', 'cluster.local'] } }).join('\n'),
    /search list is "svc.cluster.local cluster.local"/,
  );
  assert.match(dnsCauses({ ...healthy, slices: [] }).join('\n'), /no ready endpoint/);
  const timeout = output('netns-dig-timeout.txt');
  assert.match(
    dnsCauses({ ...healthy, viaService: timeout, direct: [{ ip: '192.168.0.5', answer: timeout }] }).join('\n'),
    /does not answer/,
  );
  assert.match(dnsCauses({ ...healthy, viaService: timeout }).join('\n'), /kube-proxy's DNAT for kube-dns/);
  assert.match(
    dnsCauses({ ...healthy, outsideFromPod: output('course-dig-bare-name-servfail.txt') }).join('\n'),
    /forward to the upstream is broken/,
  );
});
