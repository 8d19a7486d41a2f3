import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvironmentError } from '../../support/domain.ts';
import { executePlan, StepFailure, type CommandResult, type Runner } from '../../support/provision/executor.ts';
import { loadFixtures } from '../../support/provision/manifests.ts';
import { parseCommand } from '../../support/provision/options.ts';
import { planClusterDown, planClusterUp, type UpOptions } from '../../support/provision/plan.ts';

const fixtures = await loadFixtures();
const command = parseCommand(['up', '--wait-timeout', '30']);
assert.equal(command.command, 'up');
const options: UpOptions = command.options;

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '', timedOut: false });
const fail = (exitCode: number, stderr: string): CommandResult => ({ exitCode, stdout: '', stderr, timedOut: false });
const available = JSON.stringify({
  items: ['calico', 'apiserver'].map((name) => ({ metadata: { name }, status: { conditions: [{ type: 'Available', status: 'True' }] } })),
});
const readyNodes = JSON.stringify({
  items: ['cp', 'w1', 'w2'].map((name) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })),
});

/** A runner that answers by the command line and records what it was asked. */
function fakeRunner(answer: (line: string) => CommandResult) {
  const calls: { line: string; input: string | undefined }[] = [];
  const runner: Runner = async (argv, request) => {
    const line = argv.join(' ');
    calls.push({ line, input: request.input });
    if (calls.length > 200) throw new Error(`runaway: more than 200 commands, the last: ${line}`);
    return answer(line);
  };
  return { runner, calls };
}

function healthyCluster(line: string): CommandResult {
  if (line === 'kind version') return ok('kind v0.20.0 go1.20.4 linux/amd64\n');
  if (line.startsWith('kind get clusters')) return ok('other\n');
  if (line.endsWith('get tigerastatus -o json')) return ok(available);
  if (line.endsWith('get nodes -o json')) return ok(readyNodes);
  return ok();
}

/** A clock that advances only when the executor sleeps. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      await new Promise((resolve) => setImmediate(resolve)); // let timers (the test's timeout) run
    },
  };
}

test('a healthy run executes every step once, feeding each manifest to its command', async () => {
  const { runner, calls } = fakeRunner(healthyCluster);
  const steps = planClusterUp(options, fixtures);
  let createdAt = -1;
  const outcome = await executePlan(steps, {
    runner,
    log: () => {},
    ...fakeClock(),
    onClusterMayExist: () => {
      createdAt = calls.length;
    },
  });
  assert.equal(outcome, 'done');
  assert.deepEqual(
    calls.map((call) => call.line),
    steps.map((step) => step.argv.join(' ')),
  );
  assert.match(calls[3]?.input ?? '', /kind: Cluster/);
  assert.match(calls[7]?.input ?? '', /kind: Installation/);
  assert.equal(createdAt, 3, 'the cluster counts as possibly existing from the kind create step on');
});

test('an existing cluster of the same name stops up before anything is created (environment, exit 2)', async () => {
  const { runner, calls } = fakeRunner((line) => (line === 'kind get clusters' ? ok('podnet\n') : healthyCluster(line)));
  await assert.rejects(
    executePlan(planClusterUp(options, fixtures), { runner, log: () => {} }),
    (error: unknown) =>
      error instanceof EnvironmentError && /already exists/.test(error.message) && /cluster:down -- --name podnet/.test(error.message),
  );
  assert.equal(calls.length, 3);
});

test('an unreachable Docker engine is an environment error that says what to do', async () => {
  const { runner } = fakeRunner((line) =>
    line.startsWith('docker') ? fail(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock') : healthyCluster(line),
  );
  await assert.rejects(
    executePlan(planClusterUp(options, fixtures), { runner, log: () => {} }),
    (error: unknown) =>
      error instanceof EnvironmentError && /Cannot connect to the Docker daemon/.test(error.message) && /start Docker/.test(error.message),
  );
});

test('a failing step stops the run and names the step, the command and its error', async () => {
  const { runner, calls } = fakeRunner((line) =>
    line.includes('tigera-operator.yaml')
      ? fail(1, 'error: unable to read URL "https://raw.githubusercontent.com/…": 404 Not Found')
      : healthyCluster(line),
  );
  await assert.rejects(
    executePlan(planClusterUp(options, fixtures), { runner, log: () => {} }),
    (error: unknown) =>
      error instanceof StepFailure &&
      /step 6 failed: Install Calico v3.30.0: tigera-operator.yaml/.test(error.message) &&
      /404 Not Found/.test(error.message),
  );
  assert.equal(calls.length, 6);
});

test('a wait polls until the condition holds, printing what it sees each time', { timeout: 5000 }, async () => {
  let polls = 0;
  const { runner } = fakeRunner((line) => {
    if (line.endsWith('get tigerastatus -o json')) {
      polls += 1;
      return polls < 3 ? ok(JSON.stringify({ items: [] })) : ok(available);
    }
    return healthyCluster(line);
  });
  const lines: string[] = [];
  await executePlan(planClusterUp(options, fixtures), { runner, log: (line) => lines.push(line), ...fakeClock() });
  assert.equal(polls, 3);
  assert.deepEqual(
    lines.filter((line) => line.includes('calico:')),
    [
      '  … 0s/30s  calico: not reported yet; apiserver: not reported yet',
      '  … 5s/30s  calico: not reported yet; apiserver: not reported yet',
      '  … 10s/30s  calico: Available; apiserver: Available',
    ],
  );
});

test('a wait that never holds times out at its bound and reports what it last saw', { timeout: 5000 }, async () => {
  const notReady = JSON.stringify({
    items: [
      { metadata: { name: 'podnet-worker' }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } },
    ],
  });
  const { runner, calls } = fakeRunner((line) => (line.endsWith('get nodes -o json') ? ok(notReady) : healthyCluster(line)));
  const clock = fakeClock();
  await assert.rejects(
    executePlan(planClusterUp(options, fixtures), { runner, log: () => {}, ...clock }),
    (error: unknown) =>
      error instanceof StepFailure &&
      /timed out after 30s waiting until all 3 nodes Ready/.test(error.message) &&
      /last seen: 0\/3 nodes Ready: podnet-worker NotReady \(KubeletNotReady\)/.test(error.message) &&
      /look closer: kubectl --context kind-podnet describe nodes/.test(error.message),
  );
  assert.equal(clock.now(), 30_000, 'the wait ends at its bound, not later');
  assert.equal(calls.filter((call) => call.line.endsWith('get nodes -o json')).length, 7);
});

test('a kind other than the release that built the node image stops up before anything is created (environment, exit 2)', async () => {
  // kind v0.32.0 with the v1.28.0 image built by v0.20.0: the skew kind#3853 broke on.
  const { runner, calls } = fakeRunner((line) =>
    line === 'kind version' ? ok('kind v0.32.0 go1.26.3 linux/amd64\n') : healthyCluster(line),
  );
  await assert.rejects(
    executePlan(planClusterUp(options, fixtures), { runner, log: () => {} }),
    (error: unknown) =>
      error instanceof EnvironmentError &&
      /kind is v0\.32\.0, but kindest\/node:v1\.28\.0@sha256:b7a4cad1\w+ is built by kind v0\.20\.0/.test(error.message) &&
      /install kind v0\.20\.0 .*SHA-256 513a7213/.test(error.message),
  );
  assert.deepEqual(
    calls.map((call) => call.line),
    ['kind version'],
  );
});

test('cluster:down of a cluster that does not exist does nothing and succeeds', async () => {
  const { runner, calls } = fakeRunner(() => ok('other\n'));
  assert.equal(await executePlan(planClusterDown({ name: 'podnet', kubeconfig: undefined }), { runner, log: () => {} }), 'nothing-to-do');
  assert.deepEqual(
    calls.map((call) => call.line),
    ['kind get clusters'],
  );
});

test('cluster:down of an existing cluster deletes it', async () => {
  const { runner, calls } = fakeRunner(() => ok('podnet\n'));
  assert.equal(await executePlan(planClusterDown({ name: 'podnet', kubeconfig: undefined }), { runner, log: () => {} }), 'done');
  assert.deepEqual(
    calls.map((call) => call.line),
    ['kind get clusters', 'kind delete cluster --name podnet'],
  );
});
