/**
 * A server that does not answer (the cluster DNS, redis, nginx behind a Service) is what the
 * claims about it are about: the probes return it as a finding. A transport that breaks (the
 * exec cut off, the pod gone, the client missing) is "could not look". Outputs as dig 9.18,
 * redis-cli 7.0 and OpenBSD nc print them in the lab's pods with the server killed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecResult } from '../../support/domain.ts';
import type { Cluster } from '../../support/cluster/cluster.ts';
import { ProbeFailure } from '../../support/probes/commands.ts';
import { lookup } from '../../support/probes/dns.ts';
import { redisCommand } from '../../support/probes/redis.ts';
import { sendLine } from '../../support/probes/services.ts';

const pod = { kind: 'pod' as const, namespace: 'default', name: 'multitool-1-abcde' };

function answering(exitCode: number, stdout: string, stderr = '', timedOut = false): Cluster {
  return {
    exec: async (_target: unknown, argv: string[]): Promise<ExecResult> => ({
      where: 'pod default/multitool-1-abcde',
      argv,
      exitCode,
      stdout,
      stderr,
      ms: 5,
      timedOut,
    }),
  } as unknown as Cluster;
}

const DIG_REFUSED = `;; communications error to 10.96.0.10#53: connection refused

; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +time=2 +tries=1 nginx-service.default.svc.cluster.local
;; global options: +cmd
;; no servers could be reached
`;

describe('a server that does not answer', () => {
  it('the cluster DNS: dig reaching no server (exit 9) is a reading, not a failure to look', async () => {
    const seen = await lookup(answering(9, DIG_REFUSED), pod, 'nginx-service.default.svc.cluster.local');
    assert.equal(seen.value.answered, false);
    assert.ok(seen.value.errors.some((error) => /connection refused/.test(error)));
  });

  it('the cluster DNS: dig cut off by the exec is could-not-look', async () => {
    await assert.rejects(lookup(answering(-1, '', '', true), pod, 'nginx-service'), ProbeFailure);
  });

  it('redis: a refused connection is a reply the claim reads; a broken exec is could-not-look', async () => {
    const refused = await redisCommand(
      answering(1, '', 'Could not connect to Redis at redis-0.redis-headless:6379: Connection refused\n'),
      pod,
      'redis-0.redis-headless',
      ['ping'],
    );
    assert.deepEqual(refused.value, { ok: false, error: 'Could not connect to Redis at redis-0.redis-headless:6379: Connection refused' });
    await assert.rejects(
      redisCommand(answering(126, '', 'OCI runtime exec failed: container not running\n'), pod, 'redis-0.redis-headless', ['ping']),
      ProbeFailure,
    );
  });

  it('nginx behind a Service: a refused connection (nc exit 1) is a reading; a missing nc is could-not-look', async () => {
    const refused = await sendLine(answering(1, ''), pod, 'nginx-service', 80, 'get');
    assert.equal(refused.value.exitCode, 1);
    assert.equal(refused.value.reply, '');
    await assert.rejects(sendLine(answering(127, '', 'sh: nc: not found\n'), pod, 'nginx-service', 80, 'get'), ProbeFailure);
  });
});
