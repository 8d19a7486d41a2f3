/**
 * A run's session on a cluster (what `npm run e2e` holds from start to end) and a worker's
 * connection to it, against the fake API server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EnvironmentError } from '../../support/domain.ts';
import { connectKind } from '../../support/cluster/kind/connect.ts';
import { openKindSession } from '../../support/cluster/kind/session.ts';
import { harness, runNodeCommandsLocally, type Harness } from './helpers.ts';

describe('kind session', () => {
  let h: Harness;
  before(async () => {
    h = await harness(
      { exec: runNodeCommandsLocally, readyAfterMs: 50, token: 'session-token-0123456789' },
      { token: 'session-token-0123456789' },
    );
  });
  after(() => h.close());

  it('preflights, applies and awaits the workloads, reaches every node, and removes it all at close', async () => {
    const logs: string[] = [];
    const session = await openKindSession(
      { kubeconfig: h.kubeconfigPath, env: {}, namespace: 'podnet-e2e', nodeShell: { mode: 'pod' }, readyTimeoutMs: 10_000 },
      (l) => logs.push(l),
    );
    assert.deepEqual(session.env, { E2E_TARGET: 'kind', E2E_NAMESPACE: 'podnet-e2e', E2E_CONTEXT: 'kind-podnet' });
    assert.match(session.description, /context "kind-podnet"/);
    assert.match(session.description, /Kubernetes v1\.28\.0, 1 Calico IP pool/);
    assert.match(session.description, /workloads in podnet-e2e: DaemonSet multitool-1, DaemonSet multitool-2, Pod multitool/);
    assert.match(session.description, /node shell: privileged pod \+ nsenter/);
    assert.ok(!logs.join('\n').includes('session-token-0123456789'));

    // A worker attaches by namespace and context, and sees the same pods.
    const worker = await connectKind({
      kubeconfig: h.kubeconfigPath,
      env: {},
      context: session.env.E2E_CONTEXT,
      namespace: session.env.E2E_NAMESPACE,
      cluster: { nodeShell: { mode: 'pod' } },
    });
    assert.equal(worker.workloadNamespace, 'podnet-e2e');
    const pods = await worker.pods({ namespace: 'podnet-e2e' });
    assert.equal(pods.filter((p) => p.workload === 'multitool-2').length, 3);
    assert.ok(pods.some((p) => p.name === 'multitool' && p.phase === 'Running'));
    // The worker uses the shell pods the session made, and leaves them.
    const r = await worker.exec({ kind: 'node', name: 'pod-routing-worker2' }, ['echo', 'from-worker']);
    assert.equal(r.stdout, 'from-worker\n');
    await worker.close();
    assert.ok(h.fake.get('v1', 'pods', 'podnet-e2e', 'podnet-e2e-node-shell-pod-routing-worker2'));

    await session.close();
    await session.close(); // safe twice
    assert.equal(h.fake.get('v1', 'namespaces', undefined, 'podnet-e2e'), undefined);
    assert.equal((await worker.pods({ namespace: 'podnet-e2e' })).length, 0);
  });

  it('fails with an environment error, and leaves nothing behind, when preflight fails', async () => {
    const noCalico = await harness({ calico: false });
    try {
      await assert.rejects(
        openKindSession({ kubeconfig: noCalico.kubeconfigPath, env: {}, nodeShell: { mode: 'pod' } }, () => undefined),
        (err: Error) => err instanceof EnvironmentError && /Calico is not installed/.test(err.message),
      );
      assert.equal(noCalico.fake.get('v1', 'namespaces', undefined, 'podnet-e2e'), undefined);
      assert.ok(!noCalico.fake.requests.some((r) => r.method === 'PATCH'), 'nothing applied');
    } finally {
      await noCalico.close();
    }
  });
});
