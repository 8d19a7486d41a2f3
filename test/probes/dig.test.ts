import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressesOf, parseDig, parseSrvData } from '../../support/probes/parse/dig.ts';
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
