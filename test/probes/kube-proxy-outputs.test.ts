import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseIptablesRules, rulesOfChain, tokenize } from '../../support/parse/iptables.ts';
import { parseConntrack } from '../../support/parse/conntrack.ts';
import { parseHttpResponse } from '../../support/parse/http-response.ts';
import { parseAccessLog } from '../../support/parse/nginx-log.ts';
import { ParseError } from '../../support/parse/errors.ts';

const output = (name: string) => readFileSync(new URL(`../fixtures/outputs/${name}`, import.meta.url), 'utf8');

test("iptables -S: the course's KUBE-SERVICES rule for nginx-service", () => {
  const [rule] = parseIptablesRules(output('course-iptables-nat-S-kube-services-grep.txt')).rules;
  assert.equal(rule?.chain, 'KUBE-SERVICES');
  assert.equal(rule?.destination, '10.96.204.67/32');
  assert.equal(rule?.protocol, 'tcp');
  assert.equal(rule?.comment, 'default/nginx-service:http cluster IP');
  assert.equal(rule?.dport, '80');
  assert.equal(rule?.jump, 'KUBE-SVC-6IM33IEVEEV7U3GP');
});

test('iptables -S on a lab node: the Service chain, negated source, probability as iptables prints it', () => {
  const listing = parseIptablesRules(output('netns-node-iptables-nat-S-kube-svc.txt'));
  assert.deepEqual(listing.chains, [{ name: 'KUBE-SVC-6IM33IEVEEV7U3GP' }]);
  const [masq, first, last] = listing.rules;
  assert.equal(masq?.notSource, '192.168.0.0/16');
  assert.equal(masq?.source, undefined);
  assert.equal(masq?.jump, 'KUBE-MARK-MASQ');
  assert.equal(first?.probability, '0.50000000000');
  assert.match(first?.comment ?? '', /^default\/nginx-service:http -> 192\.168\.\d+\.\d+:80$/);
  assert.equal(last?.probability, undefined);
  assert.match(last?.jump ?? '', /^KUBE-SEP-[A-Z2-7]{16}$/);
});

test('iptables -S of a whole table: PREROUTING and OUTPUT reach KUBE-SERVICES; DNAT targets', () => {
  const listing = parseIptablesRules(output('netns-node-iptables-nat-S.txt'));
  for (const chain of ['PREROUTING', 'OUTPUT']) {
    assert.ok(
      rulesOfChain(listing, chain).some((rule) => rule.jump === 'KUBE-SERVICES' && rule.comment === 'kubernetes service portals'),
      chain,
    );
  }
  assert.ok(listing.rules.some((rule) => rule.jump === 'DNAT' && /^192\.168\.\d+\.\d+:80$/.test(rule.toDestination ?? '')));
});

test('iptables-save -c: counters per rule', () => {
  const listing = parseIptablesRules(output('netns-node-iptables-save-c-nat.txt'));
  const dnat = listing.rules.filter((rule) => rule.jump === 'DNAT');
  assert.ok(dnat.length > 0);
  assert.ok(dnat.every((rule) => typeof rule.packets === 'number' && typeof rule.bytes === 'number'));
  assert.ok(listing.chains.some((chain) => chain.name === 'KUBE-SERVICES' && chain.table === 'nat'));
});

test('iptables: quoted words keep their spaces and escaped quotes; a stray line is a ParseError', () => {
  assert.deepEqual(tokenize('-A X -m comment --comment "a \\"b\\" c" -j Y'), [
    '-A',
    'X',
    '-m',
    'comment',
    '--comment',
    'a "b" c',
    '-j',
    'Y',
  ]);
  assert.throws(() => parseIptablesRules('Chain KUBE-SVC (1 references)'), ParseError);
});

test('conntrack -L on a lab node: the ClusterIP in the original tuple, the backend in the reply', () => {
  const entries = parseConntrack(output('netns-node-conntrack-L.txt'));
  assert.equal(entries.length, 4);
  const [entry] = entries;
  assert.equal(entry?.protocol, 'tcp');
  assert.equal(entry?.state, 'TIME_WAIT');
  assert.equal(entry?.original.dport, 80);
  assert.match(entry?.original.dst ?? '', /^10\.96\./);
  assert.match(entry?.reply.src ?? '', /^192\.168\./);
  assert.equal(entry?.reply.dst, entry?.original.src);
  assert.deepEqual(entry?.flags, ['ASSURED']);
  const udp = parseConntrack(
    'udp      17 29 src=192.168.1.2 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=192.168.3.4 dst=192.168.1.2 sport=53 dport=40000 mark=0 use=1\n',
  );
  assert.equal(udp[0]?.state, undefined);
  assert.deepEqual(udp[0]?.flags, ['UNREPLIED']);
  assert.throws(() => parseConntrack('tcp 6 1 ESTABLISHED dport=80\n'), ParseError);
});

test("an HTTP response head: the course's nginx 400 and the lab's", () => {
  for (const file of ['course-telnet-get-nginx.txt', 'netns-nc-get-nginx.txt']) {
    const head = parseHttpResponse(output(file));
    assert.equal(head.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.match(head.headers.server ?? '', /^nginx\//);
  }
  assert.throws(() => parseHttpResponse(''), ParseError);
});

test('nginx access log (combined): the client address of each request; other lines skipped', () => {
  const lines = parseAccessLog(
    `/docker-entrypoint.sh: Configuration complete; ready for start up\n${output('netns-nginx-access-log.txt')}`,
  );
  assert.equal(lines.length, 3);
  assert.match(lines[0]?.remoteAddr ?? '', /^192\.168\./);
  assert.equal(lines[0]?.request, 'get');
  assert.equal(lines[0]?.status, 400);
});

test('conntrack -L of IPv4 and IPv6 flows, with and without -o extended, counters, ids and timestamps', () => {
  const plain = parseConntrack(output('netns-conntrack-L-v4-v6.txt'));
  const extended = parseConntrack(output('netns-conntrack-L-o-extended.txt'));
  assert.deepEqual(
    extended.map((entry) => entry.protocol),
    plain.map((entry) => entry.protocol),
  );
  assert.deepEqual(
    extended.map((entry) => entry.family),
    plain.map((entry) => (entry.original.src.includes(':') ? 'ipv6' : 'ipv4')),
  );
  assert.deepEqual([...new Set(plain.map((entry) => entry.protocol))].sort(), ['icmp', 'icmpv6', 'tcp', 'udp']);
  const tcp6 = plain.find((entry) => entry.protocol === 'tcp' && entry.original.src === '::1');
  assert.equal(tcp6?.state, 'TIME_WAIT');
  assert.equal(tcp6?.reply.sport, 8081);
  for (const file of ['netns-conntrack-L-o-extended-id-acct.txt', 'netns-conntrack-L-o-ktimestamp-acct.txt']) {
    const entries = parseConntrack(output(file));
    assert.equal(entries.length, 6, file);
    assert.ok(entries.every((entry) => typeof entry.original.packets === 'number'));
  }
  const [v6] = parseConntrack(output('netns-conntrack-L-f-ipv6-p-tcp.txt'));
  assert.equal(v6?.original.dport, 8081);
  assert.equal(parseConntrack(output('netns-conntrack-L-p-tcp-orig-dst.txt'))[0]?.original.dport, 8080);
  for (const bad of [
    'ipv4     2 tcp      6 118 TIME_WAIT src=1.2.3.4 dst=1.2.3.5 sport=1 dport=2 src=1.2.3.5 dst=1.2.3.4 sport=2 dport=1 frob=1 use=1',
    'ipv4     10 tcp      6 118 src=1.2.3.4 dst=1.2.3.5 src=1.2.3.5 dst=1.2.3.4',
    'tcp 6 118 ESTABLISHED src=1.2.3.4 dst=1.2.3.5 sport=x dport=2 src=1.2.3.5 dst=1.2.3.4',
    'tcp 6 118 ESTABLISHED src=1.2.3.4 dst=1.2.3.5 [ASSURED] src=1.2.3.5 dst=1.2.3.4',
    'tcp 6 118 ESTABLISHED src=1.2.3.4 dst=1.2.3.5 sport=1 dport=2',
  ])
    assert.throws(() => parseConntrack(`${bad}\n`), /conntrack: .*line 1/);
});

test('nginx 1.22.1 logs (issue 24): every access over IPv4 and IPv6 read, error-log and entrypoint lines recognised, anything else refused', () => {
  const lines = parseAccessLog(output('netns-h24c-nginx-access.log.txt'));
  assert.deepEqual(
    lines.map((line) => [line.remoteAddr, line.status]),
    [
      ['10.24.0.1', 200],
      ['10.24.0.1', 200],
      ['fd00:24::1', 404],
      ['10.24.0.1', 301],
      ['10.24.0.1', 301],
      ['10.24.0.1', 200],
      ['10.24.0.1', 200],
      ['10.24.1.1', 200],
      ['10.24.0.1', 200],
      ['10.24.0.1', 400],
      ['fd00:24::1', 400],
    ],
  );
  assert.equal(lines[10]?.request, '\\x16\\x03\\x01garbage');
  // kubectl logs interleaves the image's stderr (entrypoint, error log) with the access log.
  const merged = [
    '/docker-entrypoint.sh: Configuration complete; ready for start up',
    '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
    output('netns-h24c-nginx-error.log.txt'),
    output('netns-h24c-nginx-access.log.txt'),
  ].join('\n');
  assert.equal(parseAccessLog(merged).length, 11);
  assert.throws(() => parseAccessLog('10.24.0.1 - - [06/Dec/2026:14:11:00 +0000] "GET / HTTP/1.1" 200 117\n'), /parseAccessLog: .*line 1/);
  assert.throws(
    () => parseAccessLog('10.24.0.1 - - [06/Dec/2026:14:11:00 +0000] "GET / HTTP/1.1" 200 117 "-" "curl/7.88.1" 0.001\n'),
    /line 1/,
  );
  assert.throws(() => parseAccessLog('{"remote_addr":"10.24.0.1","status":200}\n'), /line 1/);
});

test('HTTP/1.x response heads from curl 7.88.1 and nc against nginx 1.22.1 (issue 24)', () => {
  const ok = parseHttpResponse(output('netns-h24c-curl-i.txt'));
  assert.deepEqual(
    [ok.statusLine, ok.headers.server, ok.headers['content-length'], ok.headers.etag],
    ['HTTP/1.1 200 OK', 'nginx/1.22.1', '117', '"6b156cf3-75"'],
  );
  assert.deepEqual(parseHttpResponse(output('netns-h24c-curl-I.txt')).headers, ok.headers);
  assert.equal(parseHttpResponse(output('netns-h24c-curl-i-404-v6.txt')).status, 404);
  assert.equal(parseHttpResponse(output('netns-h24c-curl-i-301.txt')).headers.location, 'http://10.24.0.2/');
  assert.equal(parseHttpResponse(output('netns-h24c-curl-i-http10.txt')).headers.connection, 'close');
  assert.equal(parseHttpResponse(output('netns-h24c-nc-get-http10.txt')).status, 200);
  assert.equal(parseHttpResponse(`HTTP/1.1 100 Continue\r\n\r\n${output('netns-h24c-curl-i.txt')}`).status, 200);
  assert.equal(parseHttpResponse('HTTP/1.1 200 OK\r\nVary: a\r\nVary: b\r\n\r\n').headers.vary, 'a, b');
});

test('HTTP response heads refused, naming the line: a followed redirect, HTTP/2, folding, not a header, cut off, curl errors', () => {
  assert.throws(() => parseHttpResponse(output('netns-h24c-curl-i-L-redirect.txt')), /second response head.*line 9/);
  assert.throws(() => parseHttpResponse('HTTP/2 200 \r\nserver: nginx\r\n\r\n'), /HTTP\/2 or HTTP\/3 status line.*line 1/);
  assert.throws(() => parseHttpResponse('HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\r\n'), /folded header line.*line 3/);
  assert.throws(() => parseHttpResponse('HTTP/1.1 200 OK\r\nnot a header\r\n\r\n'), /not a "Name: value" header line.*line 2/);
  assert.throws(() => parseHttpResponse('HTTP/1.1 200 OK\r\nServer: nginx\r\n'), /head does not end/);
  assert.throws(() => parseHttpResponse(output('netns-h24c-curl-no-route.txt')), /no HTTP\/1.x status line.*line 1/);
});
