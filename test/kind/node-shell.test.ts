/**
 * Node shells: `docker exec` when the Docker CLI reaches a daemon that runs the node's
 * container (here a stand-in `docker` script that runs commands locally), else a privileged
 * hostNetwork pod pinned to the node running `nsenter -t 1 -n -m --` (the fake API server
 * strips the nsenter prefix and runs the command locally). The path used is logged.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EnvironmentError } from '../../support/domain.ts';
import { TopologyClusters } from '../../support/topology-clusters.ts';
import { harness, runNodeCommandsLocally, type Harness } from './helpers.ts';

/** A `docker` that "reaches a daemon" running containers named pod-routing-*, and logs its calls. */
function fakeDocker(dir: string, daemonUp: boolean): { bin: string; calls: () => string[] } {
  const bin = path.join(dir, daemonUp ? 'docker-up' : 'docker-down');
  const log = `${bin}.log`;
  writeFileSync(log, '');
  writeFileSync(
    bin,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
case "$1" in
  version) ${daemonUp ? 'echo 28.2.2; exit 0' : "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1"} ;;
  inspect) for last; do :; done; case "$last" in pod-routing-*) echo true; exit 0 ;; *) echo "Error: No such container: $last" >&2; exit 1 ;; esac ;;
  exec) shift; shift; exec "$@" ;;
  run|rm) exit 0 ;;
esac
exit 2
`,
  );
  chmodSync(bin, 0o755);
  return { bin, calls: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('node shell: docker exec', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    h = await harness();
    dir = mkdtempSync(path.join(tmpdir(), 'podnet-docker-'));
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses docker exec <node> when a daemon runs the node container, and says so', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    const r = await c.exec({ kind: 'node', name: 'pod-routing-worker' }, ['sh', '-c', 'echo on-node; echo warn >&2; exit 4']);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [4, 'on-node\n', 'warn\n']);
    assert.equal(r.where, 'node pod-routing-worker (docker exec)');
    assert.ok(docker.calls().includes('exec pod-routing-worker sh -c echo on-node; echo warn >&2; exit 4'));
    assert.ok(h.logs.includes('node shell for pod-routing-worker: docker exec pod-routing-worker'));
    assert.equal(h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods')).length, 0, 'no debug pod');
  });

  it('runs background commands through docker exec and stops them by PID', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    const proc = await c.startBackground(
      { kind: 'node', name: 'pod-routing-worker2' },
      ['sh', '-c', 'trap "echo bye; exit 0" INT; echo listening; while :; do sleep 0.05; done'],
      {
        readyPattern: /listening/,
      },
    );
    const r = await proc.stop();
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /listening\nbye\n/);
    assert.ok(docker.calls().some((l) => /^exec pod-routing-worker2 sh -c kill -INT/.test(l)));
  });

  it('falls back to a debug pod when the Docker CLI reaches no daemon', async () => {
    const docker = fakeDocker(dir, false);
    const pods = await harness({ exec: runNodeCommandsLocally });
    try {
      pods.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
      const c = pods.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
      const r = await c.exec({ kind: 'node', name: 'pod-routing-worker' }, ['echo', 'via-pod']);
      assert.equal(r.stdout, 'via-pod\n');
      assert.ok(
        pods.logs.some((l) =>
          /node shell for pod-routing-worker: privileged pod podnet-e2e\/podnet-e2e-node-shell-pod-routing-worker with nsenter \(Docker path unusable: the Docker CLI reaches no daemon\)/.test(
            l,
          ),
        ),
      );
      assert.ok(!docker.calls().some((l) => l.startsWith('exec')));
    } finally {
      await pods.close();
    }
  });
});

describe('node shell: privileged pod with nsenter', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ exec: runNodeCommandsLocally, readyAfterMs: 50 });
    h.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
  });
  after(() => h.close());

  it('creates one pinned privileged hostNetwork pod per node on first use, runs nsenter in it, deletes it at close', async () => {
    const c = h.cluster({ nodeShell: { mode: 'pod', image: 'example/shell:1' } });
    const a = await c.exec({ kind: 'node', name: 'pod-routing-worker' }, ['sh', '-c', 'echo one; exit 5']);
    const b = await c.exec({ kind: 'node', name: 'pod-routing-worker' }, ['echo', 'two']);
    assert.deepEqual([a.exitCode, a.stdout, b.stdout], [5, 'one\n', 'two\n']);
    assert.equal(a.where, 'node pod-routing-worker (nsenter from pod podnet-e2e/podnet-e2e-node-shell-pod-routing-worker)');
    assert.deepEqual(a.argv, ['sh', '-c', 'echo one; exit 5'], 'the evidence shows the command, not the transport');

    const creates = h.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/podnet-e2e/pods');
    assert.equal(creates.length, 1, 'created once, reused');
    const spec = JSON.parse(creates[0]!.body).spec;
    assert.equal(spec.nodeName, 'pod-routing-worker');
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.hostPID, true);
    assert.equal(spec.containers[0].securityContext.privileged, true);
    assert.equal(spec.containers[0].image, 'example/shell:1');
    const call = h.fake.execs.find((e) => e.pod === 'podnet-e2e-node-shell-pod-routing-worker')!;
    assert.deepEqual(call.argv.slice(0, 6), ['nsenter', '-t', '1', '-n', '-m', '--']);

    await c.close();
    assert.equal(h.fake.get('v1', 'pods', 'podnet-e2e', 'podnet-e2e-node-shell-pod-routing-worker'), undefined);
  });

  it('reuses a shell pod another handle made, and leaves it to its maker', async () => {
    const maker = h.cluster({ nodeShell: { mode: 'pod' } });
    const user = h.cluster({ nodeShell: { mode: 'pod' } });
    await maker.exec({ kind: 'node', name: 'pod-routing-worker2' }, ['true']);
    const r = await user.exec({ kind: 'node', name: 'pod-routing-worker2' }, ['echo', 'shared']);
    assert.equal(r.stdout, 'shared\n');
    await user.close();
    assert.ok(h.fake.get('v1', 'pods', 'podnet-e2e', 'podnet-e2e-node-shell-pod-routing-worker2'), 'still there for its maker');
    await maker.close();
    assert.equal(h.fake.get('v1', 'pods', 'podnet-e2e', 'podnet-e2e-node-shell-pod-routing-worker2'), undefined);
  });

  it("reads Calico's detected MTU from a node when nothing configures it", async () => {
    const scripted = await harness({
      exec: (call) =>
        call.argv.join(' ') === 'nsenter -t 1 -n -m -- cat /var/lib/calico/mtu'
          ? { stdout: '1450\n', exitCode: 0 }
          : runNodeCommandsLocally(call),
    });
    try {
      scripted.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
      const [pool] = await scripted.cluster({ nodeShell: { mode: 'pod' } }).ipPools();
      assert.equal(pool?.mtu, 1450);
    } finally {
      await scripted.close();
    }
  });
});

describe('routers: docker exec only', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    // A node-shell pod would start and run its command here: the tests show none is tried.
    h = await harness({ exec: runNodeCommandsLocally, readyAfterMs: 50 });
    h.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
    dir = mkdtempSync(path.join(tmpdir(), 'podnet-docker-'));
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const podCreates = () => h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods')).length;

  it('runs a router command by docker exec into its container, even where nodes take the pod path', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'pod', docker: docker.bin } });
    const r = await c.exec({ kind: 'router', name: 'pod-routing-frr01' }, ['echo', 'on-router']);
    assert.deepEqual([r.exitCode, r.stdout, r.where], [0, 'on-router\n', 'container pod-routing-frr01 (docker exec)']);
    assert.ok(docker.calls().includes('exec pod-routing-frr01 echo on-router'));
    assert.equal(podCreates(), 0);
  });

  it('runs a program the router image lacks (tcpdump) in a tools container sharing its network, removed at close', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    const r = await c.exec({ kind: 'router', name: 'pod-routing-frr01', tools: true }, ['echo', 'beside']);
    assert.deepEqual([r.exitCode, r.stdout], [0, 'beside\n']);
    assert.match(r.where, /pod-routing-frr01's network \(docker exec podnet-tools-pod-routing-frr01\)/);
    assert.ok(
      docker
        .calls()
        .includes(
          'run -d --rm --name podnet-tools-pod-routing-frr01 --network container:pod-routing-frr01 --entrypoint sleep praqma/network-multitool:latest infinity',
        ),
      docker.calls().join('\n'),
    );
    assert.ok(docker.calls().includes('exec podnet-tools-pod-routing-frr01 echo beside'));
    await c.close();
    assert.ok(docker.calls().includes('rm -f podnet-tools-pod-routing-frr01'), docker.calls().join('\n'));
    assert.equal(podCreates(), 0);
  });

  it('configures the router the scenario names (vtysh through docker exec), with no E2E_ROUTER set', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    const saved = process.env.E2E_ROUTER;
    delete process.env.E2E_ROUTER;
    try {
      // The stand-in runs vtysh on this machine, where no FRR of this test answers: only the call is checked.
      await c.configureRouter({ kind: 'router', name: 'pod-routing-frr01' }, ['router bgp 65001']).catch(() => undefined);
    } finally {
      if (saved !== undefined) process.env.E2E_ROUTER = saved;
    }
    assert.ok(docker.calls().includes('exec pod-routing-frr01 vtysh -c configure terminal -c router bgp 65001'), docker.calls().join('\n'));
  });

  it('a missing router container is an error naming it, and no node-shell pod is tried', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    await assert.rejects(
      c.exec({ kind: 'router', name: 'clab-calico-overlay-frr01' }, ['ip', '-j', 'link', 'show']),
      (error: Error) => error instanceof EnvironmentError && /no container named clab-calico-overlay-frr01/.test(error.message),
    );
    assert.equal(podCreates(), 0);
    assert.ok(!docker.calls().some((l) => l.startsWith('exec')));
  });

  it('the topology fit check reports the missing router container and how to deploy the lab', async () => {
    const docker = fakeDocker(dir, true);
    const c = h.cluster({ nodeShell: { mode: 'auto', docker: docker.bin } });
    const reason = await new TopologyClusters({}).unfit('calico-overlay', c);
    assert.match(
      reason ?? '',
      /container clab-calico-overlay-frr01 does not answer \(cannot reach container clab-calico-overlay-frr01 through Docker: no container named clab-calico-overlay-frr01\)/,
    );
    assert.match(
      reason ?? '',
      /npm run cluster:up -- --topology calico-overlay.*fixtures\/topologies\/calico-overlay\/topology\.clab\.yaml/,
    );
    assert.equal(podCreates(), 0);
  });
});
