/**
 * bin/cluster.ts as a user runs it: a child process, its output and its exit code. Real runs go
 * against fake docker/kind/kubectl (test/provision/fake-tools.ts), since no Docker engine is here.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse } from 'yaml';
import { loadFixtures } from '../../support/provision/manifests.ts';
import { parseCommand } from '../../support/provision/options.ts';
import { planClusterUp } from '../../support/provision/plan.ts';
import { commandLine } from '../../support/provision/render.ts';
import { makeFakeTools as makeFakes, type FakeTools } from './fake-tools.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SYSTEM_PATH = '/usr/bin:/bin';

const made: FakeTools[] = [];
async function makeFakeTools(tools?: string[]): Promise<FakeTools> {
  const fakes = await makeFakes(tools);
  made.push(fakes);
  return fakes;
}
after(() => Promise.all(made.map((fakes) => rm(fakes.root, { recursive: true, force: true }))));

async function cluster(args: string[], env: Record<string, string> = {}) {
  const result = await execa(process.execPath, ['--import', 'tsx', 'bin/cluster.ts', ...args], {
    cwd: repoRoot,
    env: { PATH: '', HOME: process.env.HOME ?? '/tmp', ...env },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

test('--dry-run prints every command and every manifest in full, needs no tools, exits 0', async () => {
  const run = await cluster(['up', '--dry-run', '--encapsulation', 'VXLAN']); // PATH is empty: no docker, kind or kubectl
  assert.equal(run.code, 0, run.stderr);
  const command = parseCommand(['up', '--encapsulation', 'VXLAN']);
  assert.equal(command.command, 'up');
  const steps = planClusterUp(command.options, await loadFixtures());
  for (const step of steps) {
    assert.ok(run.stdout.includes(commandLine(step.argv)), `missing command: ${commandLine(step.argv)}`);
    if (step.kind === 'run' && step.stdin) assert.ok(run.stdout.includes(step.stdin.text), `missing manifest: ${step.stdin.source}`);
  }
  // The here-documents are the manifests as the commands will read them: first the Kind config, then the Installation.
  const heredocs = [...run.stdout.matchAll(/<<'YAML'\n([\s\S]*?)\nYAML\n/g)].map((match) =>
    parse((match[1] ?? '').split('\n---\n')[0] ?? ''),
  );
  assert.equal(heredocs[0]?.kind, 'Cluster');
  assert.equal(heredocs[1]?.spec.calicoNetwork.ipPools[0].encapsulation, 'VXLAN');
  assert.match(run.stdout, /Dry run: nothing below is executed/);
});

test('cluster:down --dry-run prints its commands and exits 0', async () => {
  const run = await cluster(['down', '--dry-run', '--name', 'lab2']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^kind get clusters$/m);
  assert.match(run.stdout, /^kind delete cluster --name lab2$/m);
});

test('an unknown option exits 2 with the error and the usage', async () => {
  const run = await cluster(['up', '--k8s-version', 'v1.30.6']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Unknown option '--k8s-version'/);
  assert.match(run.stderr, /^Usage:/m);
  assert.match(run.stderr, /--encapsulation <mode>/);
  assert.equal(run.stdout, '');
});

test('missing tools: a real run exits 2 and says how to install each one', async () => {
  const run = await cluster(['up']); // empty PATH
  assert.equal(run.code, 2);
  assert.match(run.stderr, /missing on PATH: docker, kind, kubectl/);
  assert.match(run.stderr, /- docker: install Docker Engine/);
  assert.match(run.stderr, /- kind: install kind \(https:\/\/kind\.sigs\.k8s\.io/);
  assert.match(run.stderr, /- kubectl: install kubectl \(https:\/\/kubernetes\.io/);
  assert.doesNotMatch(run.stderr, /cluster:down/, 'nothing was created, so there is nothing to clean up');
});

test('missing tools: only the missing ones are named', async () => {
  const fakes = await makeFakeTools(['docker']);
  const run = await cluster(['up'], { PATH: fakes.bin, FAKE_STATE: fakes.state });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /missing on PATH: kind, kubectl\n/);
  assert.equal(await readFile(`${fakes.state}/calls.log`, 'utf8').catch(() => ''), '', 'no command ran');
});

test('a real run (fake tools) executes the plan in order, feeds the manifests and says how to use the cluster', async () => {
  const fakes = await makeFakeTools();
  const run = await cluster(['up', '--encapsulation', 'IPIP', '--kubeconfig', '/tmp/podnet-kc'], {
    PATH: `${fakes.bin}:${SYSTEM_PATH}`,
    FAKE_STATE: fakes.state,
  });
  assert.equal(run.code, 0, run.stderr);
  const calls = (await readFile(`${fakes.state}/calls.log`, 'utf8')).trim().split('\n');
  assert.deepEqual(
    calls.map((line) => line.split(' ').slice(0, 2).join(' ')),
    [
      'kind version',
      'docker info',
      'kind get',
      'kind create',
      'kubectl --kubeconfig',
      'kubectl --kubeconfig',
      'kubectl --kubeconfig',
      'kubectl --kubeconfig',
      'kubectl --kubeconfig',
      'kubectl --kubeconfig',
    ],
  );
  assert.equal(parse(await readFile(`${fakes.state}/kind-config.yaml`, 'utf8')).name, 'podnet');
  assert.equal(
    parse((await readFile(`${fakes.state}/installation.yaml`, 'utf8')).split('---')[0] ?? '').spec.calicoNetwork.ipPools[0].encapsulation,
    'IPIP',
  );
  assert.match(run.stdout, /calico: Available; apiserver: Available/);
  assert.match(run.stdout, /3\/3 nodes Ready/);
  assert.match(run.stdout, /Cluster "podnet" is ready/);
  assert.match(run.stdout, /KUBECONFIG=\/tmp\/podnet-kc E2E_TARGET=kind npm run e2e/);
});

test('a failure half-way exits 1 and says how to clean up', async () => {
  const fakes = await makeFakeTools();
  const run = await cluster(['up', '--name', 'lab2'], {
    PATH: `${fakes.bin}:${SYSTEM_PATH}`,
    FAKE_STATE: fakes.state,
    FAKE_FAIL: 'tigera-operator.yaml',
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /step 6 failed: Install Calico v3\.30\.0: tigera-operator\.yaml/);
  assert.match(run.stderr, /fake kubectl: failing on purpose/);
  assert.match(run.stderr, /To clean up: npm run cluster:down -- --name lab2$/m);
});

test('cluster:up with a kind that did not build the chosen node image stops before anything is created (exit 2)', async () => {
  const fakes = await makeFakeTools();
  const run = await cluster(['up', '--k8s', 'v1.30.6'], {
    PATH: `${fakes.bin}:${SYSTEM_PATH}`,
    FAKE_STATE: fakes.state,
    FAKE_KIND_VERSION: 'v0.20.0',
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /kind is v0\.20\.0, but kindest\/node:v1\.30\.6@sha256:b6d08db7\w+ is built by kind v0\.25\.0/);
  assert.match(run.stderr, /install kind v0\.25\.0/);
  assert.deepEqual((await readFile(`${fakes.state}/calls.log`, 'utf8')).trim().split('\n'), ['kind version']);
});

test('cluster:up refuses to touch an existing cluster of the same name (exit 2)', async () => {
  const fakes = await makeFakeTools();
  const env = { PATH: `${fakes.bin}:${SYSTEM_PATH}`, FAKE_STATE: fakes.state };
  assert.equal((await cluster(['up'], env)).code, 0);
  const again = await cluster(['up'], env);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /a Kind cluster named "podnet" already exists/);
});

test('cluster:down deletes the cluster, and a second cluster:down is a no-op that succeeds', async () => {
  const fakes = await makeFakeTools();
  const env = { PATH: `${fakes.bin}:${SYSTEM_PATH}`, FAKE_STATE: fakes.state };
  assert.equal((await cluster(['up'], env)).code, 0);
  const first = await cluster(['down'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Deleted the Kind cluster "podnet"/);
  const second = await cluster(['down'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /No Kind cluster named "podnet": nothing to delete/);
  const deletes = (await readFile(`${fakes.state}/calls.log`, 'utf8')).split('\n').filter((line) => line.startsWith('kind delete'));
  assert.deepEqual(deletes, ['kind delete cluster --name podnet']);
});

test('the dry run of every nightly cell pairs the node image with its kind release and lists the claims its encapsulation runs', async () => {
  const { main } = await import('../../support/provision/cli.ts');
  const workflow = parse(await readFile(new URL('../../.github/workflows/nightly.yml', import.meta.url), 'utf8'));
  const k8sSet = JSON.parse(/'(\[.*\])'/.exec(String(workflow.jobs.e2e.strategy.matrix.k8s))?.[1] ?? '[]') as string[];
  const encapsulations = (workflow.on.workflow_dispatch.inputs.encapsulation.options as string[]).filter(
    (option) => option !== 'as-fixture',
  );
  const kindOf: Record<string, string> = { 'v1.28.0': 'v0.20.0', 'v1.30.6': 'v0.25.0', 'v1.32.0': 'v0.26.0' };
  for (const k8s of k8sSet) {
    for (const encapsulation of encapsulations) {
      let out = '';
      const code = await main(['up', '--dry-run', '--k8s', k8s, '--encapsulation', encapsulation], {
        out: (text) => (out += `${text}\n`),
        err: (text) => (out += text),
        env: {},
      });
      assert.equal(code, 0, out);
      assert.match(out, new RegExp(`^kind version$`, 'm'));
      assert.ok(out.includes(`kind is ${kindOf[k8s]}, the release that built kindest/node:${k8s}`), `${k8s}: ${kindOf[k8s]}`);
      assert.match(out, new RegExp(`--image kindest/node:${k8s.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}`));
      const skipped = /# {3}skipped \((\d+)\)/.exec(out)?.[1];
      // L03-08 and L03-11 need native routing; NET-04 needs a VXLAN pool (test/preconditions/ checks the run agrees).
      const expected: Record<string, string> = { VXLANCrossSubnet: '0', VXLAN: '2', IPIP: '3', None: '1' };
      assert.equal(skipped, expected[encapsulation], `${k8s} ${encapsulation}`);
    }
  }
});
