import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRedisInfo, parseRedisReplication, parseReplicaLine } from '../../support/parse/redis-info.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseRedisReplication', () => {
  it('reads the course’s master: role, connected_slaves and each slave line', () => {
    const info = parseRedisReplication(fixture('course-redis-info-replication-master.txt'));
    assert.equal(info.role, 'master');
    assert.equal(info.fields.connected_slaves, '2');
    assert.deepEqual(info.replicas[1], { ip: '192.168.145.10', port: 6379, state: 'online', offset: 420, lag: 0 });
  });

  it('reads the course’s replica: master_host, master_link_status, slave_read_only', () => {
    const info = parseRedisReplication(fixture('course-redis-info-replication-replica.txt'));
    assert.equal(info.role, 'slave');
    assert.equal(info.fields.master_host, 'redis-0.redis-headless.default.svc.cluster.local');
    assert.equal(info.fields.master_link_status, 'up');
    assert.equal(info.fields.slave_read_only, '1');
    assert.deepEqual(info.replicas, []);
  });

  it('reads real redis-server 7.0 output from the lab (CRLF lines, announced DNS names)', () => {
    const master = parseRedisReplication(fixture('netns-redis-info-replication-master.txt'));
    assert.equal(master.role, 'master');
    assert.deepEqual(
      master.replicas.map((replica) => replica.ip),
      ['redis-1.redis-headless.default.svc.cluster.local', 'redis-2.redis-headless.default.svc.cluster.local'],
    );
    assert.equal(parseRedisReplication(fixture('netns-redis-info-replication-replica.txt')).fields.master_link_status, 'up');
  });

  it('refuses output that is not INFO replication', () => {
    assertParseError(() => parseRedisReplication('PONG'), /parseRedisInfo/);
    assertParseError(() => parseRedisReplication('# Server\nredis_version:7.0.15\n'), /no role/);
  });
});

describe('parseRedisInfo on redis 7.0.15 in two namespaces (netns-h24c-redis-info-*, issue 24)', () => {
  it('reads a master with its online replica and that replica', () => {
    const master = parseRedisReplication(fixture('netns-h24c-redis-info-replication-master.txt'));
    assert.equal(master.role, 'master');
    assert.deepEqual(
      master.replicas.map((r) => [r.ip, r.port, r.state]),
      [['10.24.0.1', 6379, 'online']],
    );
    const replica = parseRedisReplication(fixture('netns-h24c-redis-info-replication-replica.txt'));
    assert.deepEqual([replica.role, replica.fields.master_host, replica.fields.master_link_status], ['slave', '10.24.0.2', 'up']);
  });

  it('reads every section of INFO (asked over IPv6), and commandstats (keys with |)', () => {
    const fields = parseRedisInfo(fixture('netns-h24c-redis-info-all.txt'));
    assert.equal(fields.redis_version, '7.0.15');
    assert.equal(fields.role, 'master');
    assert.ok(Object.keys(parseRedisInfo(fixture('netns-h24c-redis-info-commandstats.txt'))).some((key) => key.includes('|')));
    assert.equal(parseRedisInfo(fixture('netns-h24c-redis-info-keyspace.txt')).db0, 'keys=1,expires=0,avg_ttl=0');
    assert.deepEqual(parseRedisInfo(fixture('netns-h24c-redis-info-keyspace-empty.txt')), {});
  });

  it('refuses what redis-cli prints instead of INFO: protected mode (a line with "NOTE:"), a refused connection, no output', () => {
    assertParseError(
      () => parseRedisInfo(fixture('netns-h24c-redis-info-protected-mode.txt')),
      /not a "# Section" or "key:value" line/,
      /line 1/,
      /DENIED/,
    );
    assertParseError(() => parseRedisInfo(fixture('netns-h24c-redis-info-refused.txt')), /Could not connect/);
    assertParseError(() => parseRedisReplication(fixture('netns-h24c-redis-info-unknown-section.txt')), /no role/);
  });

  it('refuses two replies in one output and a slave line of another shape', () => {
    const once = fixture('netns-h24c-redis-info-replication-master.txt');
    assertParseError(() => parseRedisInfo(once + once), /"role" a second time/, /line 15/);
    assertParseError(() => parseReplicaLine('ip=10.24.0.1,port=6379,state=online,offset=64'), /not ip,port,state,offset,lag/);
    assertParseError(() => parseReplicaLine('ip=10.24.0.1,port=x,state=online,offset=64,lag=0'), /port "x" is not a number/);
  });
});
