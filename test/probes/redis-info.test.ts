import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRedisReplication } from '../../support/probes/parse/redis-info.ts';
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
