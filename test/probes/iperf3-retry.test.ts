import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecResult, ExecTarget, PodInfo } from '../../support/domain.ts';
import type { Cluster } from '../../support/cluster/cluster.ts';
import { iperf3 } from '../../support/probes/qos.ts';
import { fixture } from './helpers.ts';

/** A cluster whose exec answers iperf3 with the recorded outputs in turn (the last one again once they run out). */
function answering(...outputs: string[]): { cluster: Cluster; runs: () => number } {
  let runs = 0;
  const cluster = {
    exec: async (_target: ExecTarget, argv: string[]): Promise<ExecResult> => {
      const stdout = outputs[Math.min(runs, outputs.length - 1)] as string;
      runs++;
      return {
        where: 'pod default/iperf-client',
        argv,
        exitCode: /"error"/.test(stdout) ? 1 : 0,
        stdout,
        stderr: '',
        ms: 5,
        timedOut: false,
      };
    },
  } as unknown as Cluster;
  return { cluster, runs: () => runs };
}

const client = { namespace: 'default', name: 'iperf-client', node: 'worker' } as PodInfo;
const refused = fixture('netns-qos-iperf3-client-refused.json');
const measured = fixture('netns-qos-iperf3-client-baseline.json');

test('a connect refused between two tests of the server is tried again, and both runs are evidence', async () => {
  const { cluster, runs } = answering(refused, measured);
  const seen = await iperf3(cluster, client, 'iperf-server', 1, 2_000);
  assert.equal(seen.value.error, undefined);
  assert.equal(runs(), 2);
  assert.equal(seen.evidence.length, 2);
});

test('a server that refuses every attempt is reported with the last one once the window has passed', async () => {
  const { cluster, runs } = answering(refused);
  const seen = await iperf3(cluster, client, 'iperf-server', 1, 300);
  assert.match(seen.value.error ?? '', /unable to connect to server: Connection refused/);
  assert.ok(runs() >= 2, `tried ${runs()} times`);
  assert.equal(seen.evidence.length, runs());
});
