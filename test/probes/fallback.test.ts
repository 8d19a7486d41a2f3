import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecResult, ExecTarget } from '../../support/domain.ts';
import type { Cluster } from '../../support/cluster/cluster.ts';
import { interfaces } from '../../support/probes/interfaces.ts';

/** A cluster whose exec answers from a table of argv → result, and records what was asked. */
function scripted(answers: Record<string, Partial<ExecResult>>): { cluster: Cluster; asked: string[] } {
  const asked: string[] = [];
  const cluster = {
    exec: async (_target: ExecTarget, argv: string[]) => {
      asked.push(argv.join(' '));
      return { where: 'pod x', argv, exitCode: 0, stdout: '', stderr: '', ms: 1, timedOut: false, ...answers[argv.join(' ')] };
    },
  } as unknown as Cluster;
  return { cluster, asked };
}

const TEXT =
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';

test('a tool without -j (busybox ip) is asked again in text, and both answers are evidence', async () => {
  const { cluster, asked } = scripted({
    'ip -j addr show': { exitCode: 1, stderr: "ip: invalid option -- 'j'" },
    'ip addr show': { stdout: TEXT },
  });
  const seen = await interfaces(cluster, { kind: 'pod', namespace: 'd', name: 'x' });
  assert.deepEqual(asked, ['ip -j addr show', 'ip addr show']);
  assert.equal(seen.value[0]?.name, 'lo');
  assert.equal(seen.evidence.length, 2);
});

test('a timeout is reported as it is, not retried in text', async () => {
  const { cluster, asked } = scripted({ 'ip -j addr show': { exitCode: 124, timedOut: true, ms: 15000 } });
  await assert.rejects(interfaces(cluster, { kind: 'pod', namespace: 'd', name: 'x' }), /timed out after 15000 ms/);
  assert.deepEqual(asked, ['ip -j addr show']);
});
