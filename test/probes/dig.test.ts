import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressesOf, parseDig, parseSrvData } from '../../support/parse/dig.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseDig', () => {
  it('reads a Service answer from the lab: status, flags, question, one A record with TTL 30, the server', () => {
    const dig = parseDig(fixture('netns-dig-search-service.txt'));
    assert.equal(dig.answered, true);
    assert.equal(dig.status, 'NOERROR');
    assert.deepEqual(dig.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(dig.question, { name: 'nginx-service.default.svc.cluster.local.', class: 'IN', type: 'A' });
    assert.equal(dig.answers.length, 1);
    assert.equal(dig.answers[0]?.ttl, 30);
    assert.match(addressesOf(dig)[0] ?? '', /^10\.96\./);
    assert.equal(dig.server?.port, 53);
  });

  it('reads the course’s cut-down outputs (lesson 05): a SERVFAIL for a bare name, and a +search answer', () => {
    const bare = parseDig(fixture('course-dig-bare-name-servfail.txt'));
    assert.equal(bare.status, 'SERVFAIL');
    assert.deepEqual(bare.counts, { query: 1, answer: 0, authority: 0, additional: 1 });
    assert.deepEqual(bare.question, { name: 'nginx-service.', class: 'IN', type: 'A' });
    assert.deepEqual(bare.server, { address: '10.96.0.10', port: 53 });
    const search = parseDig(fixture('course-dig-search-service.txt'));
    assert.deepEqual(addressesOf(search), ['10.96.169.109']);
    assert.equal(search.answers[0]?.name, 'nginx-service.default.svc.cluster.local.');
  });

  it('reads NXDOMAIN with the zone’s SOA in the authority section', () => {
    const dig = parseDig(fixture('netns-dig-cluster-nxdomain.txt'));
    assert.equal(dig.status, 'NXDOMAIN');
    assert.deepEqual(dig.answers, []);
    assert.equal(dig.authority[0]?.type, 'SOA');
    assert.equal(dig.authority[0]?.name, 'cluster.local.');
  });

  it('reads a forwarded answer and a headless SRV answer with its additional A records', () => {
    assert.ok(addressesOf(parseDig(fixture('netns-dig-forwarded.txt'))).length === 1);
    const srv = parseDig(fixture('netns-dig-srv-headless.txt'));
    assert.equal(srv.answers.length, 3);
    assert.deepEqual(parseSrvData(srv.answers[0]?.data ?? ''), {
      priority: 0,
      weight: 33,
      port: 6379,
      target: 'redis-0.redis-headless.default.svc.cluster.local.',
    });
    assert.equal(srv.additional.filter((record) => record.type === 'A').length, 3);
    assert.equal(parseDig(fixture('netns-dig-search-statefulset-pod.txt')).answers.length, 1);
  });

  it('reports a dig that reached no server as unanswered, with dig’s complaint', () => {
    const dig = parseDig(fixture('netns-dig-timeout.txt'));
    assert.equal(dig.answered, false);
    assert.equal(dig.status, undefined);
    assert.ok(dig.errors.some((line) => /no servers could be reached/.test(line)));
  });

  it('refuses what is not dig output, and a header that disagrees with its answer section', () => {
    assertParseError(() => parseDig('PING 10.96.0.10 56(84) bytes of data.'), /parseDig/, /not the output of dig/);
    const lying = fixture('netns-dig-search-service.txt').replace('ANSWER: 1,', 'ANSWER: 2,');
    assertParseError(() => parseDig(lying), /counts 2 answers/);
    assertParseError(() => parseSrvData('0 33 redis-0.'), /SRV data/);
  });
});

describe('dig 9.18 with neighbouring options, IPv6 and TCP (issue 24)', () => {
  it('an IPv6 server, an AAAA answer, +tcp, +nocmd, TXT and two A records read as the default output', () => {
    const aaaa = parseDig(fixture('netns-dig-ipv6-server-aaaa.txt'));
    assert.deepEqual(aaaa.server, { address: '::1', port: 53 });
    assert.deepEqual(
      aaaa.answers.map((record) => [record.type, record.data]),
      [['AAAA', 'fd00:96::b8']],
    );
    for (const file of ['netns-dig-tcp.txt', 'netns-dig-nocmd.txt']) {
      const result = parseDig(fixture(file));
      assert.equal(result.status, 'NOERROR', file);
      assert.deepEqual(addressesOf(result), ['10.96.223.184'], file);
    }
    assert.deepEqual(addressesOf(parseDig(fixture('netns-dig-two-a.txt'))).sort(), ['192.168.1.5', '192.168.2.6']);
    assert.equal(parseDig(fixture('netns-dig-txt.txt')).answers[0]?.data, '"\\"a" "b"');
  });

  it('+multiline: a record continued in parentheses is one record, its comments dropped', () => {
    const soa = parseDig(fixture('netns-dig-multiline-soa.txt'));
    assert.deepEqual(soa.answers, [
      {
        name: 'cluster.local.',
        ttl: 30,
        class: 'IN',
        type: 'SOA',
        data: 'ns.dns.cluster.local. hostmaster.cluster.local. 1764000000 7200 1800 86400 30',
      },
    ]);
    const nx = parseDig(fixture('netns-dig-multiline-nxdomain.txt'));
    assert.equal(nx.status, 'NXDOMAIN');
    assert.equal(nx.authority[0]?.type, 'SOA');
  });

  it('refuses outputs without dig comments or with records it cannot read, naming the line', () => {
    assertParseError(() => parseDig(fixture('netns-dig-short.txt')), /not the output of dig/);
    assertParseError(() => parseDig(fixture('netns-dig-noall-answer.txt')), /not the output of dig/);
    assertParseError(() => parseDig(fixture('netns-dig-nocomments.txt')), /outside its section/, /line 5/);
    assertParseError(() => parseDig(fixture('netns-dig-nottlid.txt')), /<name> <ttl> <class> <type> <data>/);
    assertParseError(() => parseDig(fixture('netns-dig-multiline-soa.txt').replace(/\t+\)\n/, '')), /closing parenthesis/);
  });
});
