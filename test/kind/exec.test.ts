/**
 * Exec in pods over the WebSocket channel protocol, against the fake API server running each
 * argv as a real local process: exit codes, stdout vs stderr, timeouts, transport faults, and
 * background processes with the readiness contract.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EnvironmentError } from '../../support/domain.ts';
import { ExecTransportError, exitCodeFromStatus } from '../../support/cluster/kind/pod-exec.ts';
import { TIMED_OUT_EXIT_CODE } from '../../support/cluster/kind/command.ts';
import { harness, type Harness } from './helpers.ts';

const pod = { kind: 'pod' as const, namespace: 'default', name: 'multitool-1-vmn9d' };

/** Polls a condition (the fake's process table) until it holds; fails the test if it never does. */
async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`condition still false after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kind target: exec in a pod (as a v1.28 API server speaks it: v4 channel protocol, real local processes)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('runs the argv as given and reports exit code 0 with stdout', async () => {
    const r = await h.cluster().exec(pod, ['echo', 'hello', 'from the pod']);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'hello from the pod\n');
    assert.equal(r.stderr, '');
    assert.equal(r.timedOut, false);
    assert.deepEqual(r.argv, ['echo', 'hello', 'from the pod']);
    assert.equal(r.where, 'pod default/multitool-1-vmn9d');
    const call = h.fake.execs.at(-1)!;
    assert.deepEqual(call.argv, ['echo', 'hello', 'from the pod']);
    assert.equal(call.container, 'multitool', 'the first container, named explicitly');
    assert.equal(call.protocol, 'v4.channel.k8s.io', 'Kubernetes 1.28 has no v5 exec protocol');
  });

  it('reports a non-zero exit code from the status frame, and keeps stdout and stderr apart', async () => {
    const r = await h.cluster().exec(pod, ['sh', '-c', 'echo out-line; echo err-line >&2; echo out-2; exit 3']);
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, 'out-line\nout-2\n');
    assert.equal(r.stderr, 'err-line\n');
    assert.equal(r.timedOut, false);
  });

  it('works the same over the v5 protocol of Kubernetes 1.30+', async () => {
    const v5 = await harness({ serverVersion: 'v1.32.0' });
    try {
      const r = await v5.cluster().exec(pod, ['sh', '-c', 'echo a; echo b >&2; exit 7']);
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [7, 'a\n', 'b\n']);
      assert.equal(v5.fake.execs.at(-1)?.protocol, 'v5.channel.k8s.io');
    } finally {
      await v5.close();
    }
  });

  it('ignores the empty frame a real server sends first (no stray output, exit code from the status)', async () => {
    const r = await h.cluster().exec(pod, ['true']);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, '', '']);
  });

  it('times out: closes the socket, marks timedOut, keeps what was said so far', async () => {
    const started = Date.now();
    const r = await h.cluster().exec(pod, ['sh', '-c', 'echo started; sleep 5; echo never'], { timeoutMs: 400 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, TIMED_OUT_EXIT_CODE);
    assert.equal(r.stdout, 'started\n');
    assert.ok(Date.now() - started < 3000, 'did not wait for the command');
    // As on a real cluster, closing the socket does not end the command (which is why probes
    // bound themselves, and background commands are ended by PID).
    assert.equal(h.fake.liveChildren(), 1, 'the kubelet leaves the process running');
    await waitFor(() => h.fake.liveChildren() === 0, 8000);
  });

  it('reports a command the runtime cannot start as a transport fault, not an exit code', async () => {
    await assert.rejects(h.cluster().exec(pod, ['no-such-command-podnet']), (err: Error) => {
      assert.ok(err instanceof ExecTransportError);
      assert.ok(err instanceof EnvironmentError);
      assert.match(err.message, /executable file not found/);
      return true;
    });
  });

  it('reports a pod that does not exist as an environment error with a remedy', async () => {
    await assert.rejects(
      h.cluster().exec({ kind: 'pod', namespace: 'default', name: 'gone', container: 'multitool' }, ['true']),
      (err: Error) => {
        assert.ok(err instanceof ExecTransportError);
        assert.match(err.message, /404/);
        assert.match(err.message, /kubectl get pod -n default gone/);
        return true;
      },
    );
  });

  it('reports a stream that closes without a status as a transport fault', async () => {
    const scripted = await harness({ exec: () => ({ stdout: 'partial', closeWithoutStatus: true }) });
    try {
      await assert.rejects(
        scripted.cluster().exec(pod, ['anything']),
        (err: Error) => err instanceof ExecTransportError && /without reporting an exit status/.test(err.message),
      );
    } finally {
      await scripted.close();
    }
  });

  it('reads exit codes from V1Status as the API server writes them', () => {
    assert.deepEqual(exitCodeFromStatus({ metadata: {}, status: 'Success' }), { exitCode: 0 });
    assert.deepEqual(
      exitCodeFromStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: 'command terminated with non-zero exit code',
        details: { causes: [{ reason: 'ExitCode', message: '42' }] },
      }),
      { exitCode: 42 },
    );
    assert.ok('failure' in exitCodeFromStatus({ status: 'Failure', reason: 'InternalError', message: 'container not found ("x")' }));
  });
});

describe('kind target: background processes in a pod', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('resolves once a stderr line matches, and stop() interrupts the process (SIGINT) and returns its evidence', async () => {
    const script =
      'trap "echo interrupted; exit 0" INT; echo "listening on eth0, link-type EN10MB" >&2; while :; do echo packet; sleep 0.05; done';
    const proc = await h.cluster().startBackground(pod, ['sh', '-c', script], { readyPattern: /listening on/, readyTimeoutMs: 5000 });
    assert.equal(proc.readyLine, 'listening on eth0, link-type EN10MB');
    assert.equal(proc.where, 'pod default/multitool-1-vmn9d');
    await new Promise((r) => setTimeout(r, 150));
    const r = await proc.stop();
    assert.equal(r.exitCode, 0, 'the trap ran: it was ended by SIGINT, not by closing the socket');
    assert.match(r.stdout, /packet\n/);
    assert.match(r.stdout, /interrupted\n$/);
    assert.match(r.stderr, /listening on eth0/);
    assert.equal(r.timedOut, false);
    assert.deepEqual(r.argv, ['sh', '-c', script]);
    // The command ran under the pidfile wrapper, and the pidfile is gone afterwards.
    const wrapped = h.fake.execs.find((e) => e.argv.includes(script))!;
    assert.deepEqual(wrapped.argv.slice(0, 2), ['sh', '-c']);
    assert.match(wrapped.argv[3]!, /^\/tmp\/podnet-e2e-bg-[0-9a-f]+\.pid$/);
    assert.equal(existsSync(wrapped.argv[3]!), false);
    assert.ok(h.fake.execs.some((e) => e.argv.join(' ').includes('kill -INT')));
  });

  it('a second stop() returns the same record', async () => {
    const proc = await h.cluster().startBackground(pod, ['sh', '-c', 'echo ready; exec sleep 30'], { readyPattern: /^ready$/ });
    const [a, b] = await Promise.all([proc.stop(), proc.stop()]);
    assert.equal(a, b);
    assert.equal(a.exitCode, 130, 'sleep ended by SIGINT');
  });

  it('rejects and cleans up when no line matches within readyTimeoutMs', async () => {
    await assert.rejects(
      h
        .cluster()
        .startBackground(pod, ['sh', '-c', 'echo warming up >&2; exec sleep 30'], { readyPattern: /listening/, readyTimeoutMs: 300 }),
      (err: Error) => {
        assert.ok(err instanceof EnvironmentError);
        assert.match(err.message, /did not become ready/);
        assert.match(err.message, /warming up/);
        return true;
      },
    );
    await waitFor(() => h.fake.liveChildren() === 0, 2000);
    const wrapped = h.fake.execs.find((e) => e.argv.some((a) => a.includes('warming up')))!;
    assert.match(wrapped.argv[3]!, /podnet-e2e-bg-/);
    assert.equal(existsSync(wrapped.argv[3]!), false, 'the pidfile was removed');
  });

  it('rejects when the process exits before it is ready, quoting its stderr', async () => {
    await assert.rejects(
      h.cluster().startBackground(pod, ['sh', '-c', 'echo "tcpdump: eth0: You do not have permission to capture" >&2; exit 1'], {
        readyPattern: /listening/,
        readyTimeoutMs: 5000,
      }),
      (err: Error) =>
        err instanceof EnvironmentError && /exited with code 1/.test(err.message) && /do not have permission/.test(err.message),
    );
  });

  it('ends a process that outlives timeoutMs and marks it timed out', async () => {
    const proc = await h
      .cluster()
      .startBackground(pod, ['sh', '-c', 'echo ready; exec sleep 30'], { readyPattern: /ready/, timeoutMs: 300 });
    await waitFor(() => h.fake.liveChildren() === 0, 5000);
    const r = await proc.stop();
    assert.equal(r.timedOut, true);
  });

  it('close() stops what is still running', async () => {
    const c = h.cluster();
    await c.startBackground(pod, ['sh', '-c', 'echo ready; exec sleep 30'], { readyPattern: /ready/ });
    assert.equal(h.fake.liveChildren(), 1);
    await c.close();
    assert.equal(h.fake.liveChildren(), 0);
  });
});
