import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { loadFixtures, poolEncapsulations, renderInstallation } from '../../support/provision/manifests.ts';
import { parseCommand } from '../../support/provision/options.ts';
import { planClusterDown, planClusterUp, toolsOf, type Step, type UpOptions } from '../../support/provision/plan.ts';

const fixtures = await loadFixtures();

function defaults(): UpOptions {
  const command = parseCommand(['up']);
  assert.equal(command.command, 'up');
  return command.options;
}

const argvs = (steps: Step[]) => steps.map((step) => step.argv.join(' '));
const stdinOf = (steps: Step[], source: string) =>
  steps.find((step): step is Extract<Step, { kind: 'run' }> => step.kind === 'run' && !!step.stdin?.source.startsWith(source))?.stdin?.text;

const V1_28_0 = 'kindest/node:v1.28.0@sha256:b7a4cad12c197af3ba43202d3efe03246b3f0793f162afb40a33c923952d5b31';
const CALICO = 'https://raw.githubusercontent.com/projectcalico/calico/v3.30.0/manifests';

test('default options plan the course cluster with the pinned versions, command by command', () => {
  assert.deepEqual(argvs(planClusterUp(defaults(), fixtures)), [
    'kind version',
    'docker info --format {{.ServerVersion}}',
    'kind get clusters',
    `kind create cluster --name podnet --image ${V1_28_0} --config -`,
    `kubectl --context kind-podnet create -f ${CALICO}/operator-crds.yaml`,
    `kubectl --context kind-podnet create -f ${CALICO}/tigera-operator.yaml`,
    'kubectl --context kind-podnet wait --for=condition=Established --timeout=120s crd/installations.operator.tigera.io crd/apiservers.operator.tigera.io crd/tigerastatuses.operator.tigera.io',
    'kubectl --context kind-podnet create -f -',
    'kubectl --context kind-podnet get tigerastatus -o json',
    'kubectl --context kind-podnet get nodes -o json',
  ]);
});

test('the Kind config is the fixture with the name and node image substituted, and nothing else', () => {
  const options = { ...defaults(), name: 'lab2', k8s: 'v1.30.6' };
  const rendered = parse(stdinOf(planClusterUp(options, fixtures), 'fixtures/topologies/kind/kind-cluster.yaml') ?? '');
  const fixture = parse(fixtures.kindConfig);
  const image = 'kindest/node:v1.30.6@sha256:b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994';
  assert.deepEqual(rendered, {
    ...fixture,
    name: 'lab2',
    nodes: fixture.nodes.map((node: object) => ({ ...node, image })),
  });
});

test('the waits are bounded and wait for the nodes the fixture asks for', () => {
  const options = { ...defaults(), waitTimeoutMs: 42_000 };
  const waits = planClusterUp(options, fixtures).filter((step) => step.kind === 'wait');
  assert.deepEqual(
    waits.map((step) => step.until),
    [
      { type: 'tigerastatus-available', names: ['calico', 'apiserver'] },
      { type: 'nodes-ready', count: parse(fixtures.kindConfig).nodes.length },
    ],
  );
  for (const step of waits) assert.equal(step.waitTimeoutMs, 42_000);
});

test('the Installation in the plan carries the --encapsulation override, and only that change', () => {
  const steps = planClusterUp({ ...defaults(), encapsulation: 'IPIP' }, fixtures);
  const installation = stdinOf(steps, 'fixtures/topologies/kind/calico-installation.yaml') ?? '';
  assert.deepEqual(poolEncapsulations(installation), ['IPIP']);

  const rendered = parseAllDocuments(installation);
  const original = parseAllDocuments(fixtures.installation);
  assert.ok(Array.isArray(rendered) && Array.isArray(original));
  const expected = original.map((doc) => doc.toJS());
  expected[0].spec.calicoNetwork.ipPools[0].encapsulation = 'IPIP';
  assert.deepEqual(
    rendered.map((doc) => doc.toJS()),
    expected,
  );
});

test('without --encapsulation the Installation is the fixture as written', () => {
  const installation = stdinOf(planClusterUp(defaults(), fixtures), 'fixtures/topologies/kind/calico-installation.yaml');
  assert.equal(installation, fixtures.installation);
  assert.deepEqual(poolEncapsulations(installation ?? ''), ['VXLANCrossSubnet']);
});

test('a fixture without an Installation is refused, not silently applied', () => {
  assert.throws(() => renderInstallation('apiVersion: v1\nkind: ConfigMap\n', 'VXLAN'), /has no Installation/);
});

test('Calico before 3.30 ships its CRDs inside tigera-operator.yaml: no operator-crds.yaml step', () => {
  const creates = argvs(planClusterUp({ ...defaults(), calico: 'v3.29.3' }, fixtures)).filter((line) => line.includes(' create -f https'));
  assert.deepEqual(creates, [
    'kubectl --context kind-podnet create -f https://raw.githubusercontent.com/projectcalico/calico/v3.29.3/manifests/tigera-operator.yaml',
  ]);
});

test('--kubeconfig goes to kind and to every kubectl; kubectl never uses the current context', () => {
  const steps = planClusterUp({ ...defaults(), kubeconfig: '/tmp/lab/kubeconfig' }, fixtures);
  for (const step of steps) {
    if (step.argv[0] === 'kubectl')
      assert.deepEqual(step.argv.slice(1, 5), ['--kubeconfig', '/tmp/lab/kubeconfig', '--context', 'kind-podnet'], step.description);
  }
  const create = steps.find((step) => step.argv.includes('create') && step.argv[0] === 'kind');
  assert.deepEqual(create?.argv.slice(-2), ['--kubeconfig', '/tmp/lab/kubeconfig']);
});

test('every node image is paired with the kind release its notes list it under, and the plan checks that kind first', () => {
  // kind release notes, "Images pre-built for this release": v0.20.0 lists v1.28.0@b7a4cad1…,
  // v0.25.0 lists v1.30.6@b6d08db7…, v0.26.0 lists v1.32.0@c48c62ea… (v0.25.0 has another v1.32.0 build).
  for (const [k8s, kind, digest] of [
    ['v1.28.0', 'v0.20.0', 'b7a4cad1'],
    ['v1.30.6', 'v0.25.0', 'b6d08db7'],
    ['v1.32.0', 'v0.26.0', 'c48c62ea'],
  ] as const) {
    const steps = planClusterUp({ ...defaults(), k8s }, fixtures);
    const guard = steps[0];
    assert.ok(guard?.kind === 'guard' && guard.guard.type === 'kind-version');
    assert.deepEqual(guard.argv, ['kind', 'version']);
    assert.equal(guard.guard.type === 'kind-version' && guard.guard.expected, kind);
    const create = steps.find((step) => step.argv[0] === 'kind' && step.argv[1] === 'create');
    assert.ok(
      create?.argv.some((arg) => arg.startsWith(`kindest/node:${k8s}@sha256:${digest}`)),
      k8s,
    );
    assert.match(create?.description ?? '', new RegExp(`built by kind ${kind.replace(/\./g, '\\.')}`));
  }
  assert.throws(() => planClusterUp({ ...defaults(), k8s: 'v1.31.2' }, fixtures), /no node image is paired/);
});

test('the tools a real run needs are read off the plan', () => {
  assert.deepEqual(toolsOf(planClusterUp(defaults(), fixtures)), ['docker', 'kind', 'kubectl']);
  assert.deepEqual(toolsOf(planClusterDown({ name: 'podnet', kubeconfig: undefined })), ['kind']);
});

test('cluster:down deletes only a cluster that exists', () => {
  const steps = planClusterDown({ name: 'lab2', kubeconfig: '/tmp/k' });
  assert.deepEqual(
    steps.map((step) => (step.kind === 'guard' ? step.guard : step.argv)),
    [{ type: 'cluster-present', cluster: 'lab2' }, ['kind', 'delete', 'cluster', '--name', 'lab2', '--kubeconfig', '/tmp/k']],
  );
});

test('--topology calico-overlay: containerlab deploys the topology file (Kind nodes, FRR router), then Calico with that topology’s Installation', async () => {
  const command = parseCommand(['up', '--topology', 'calico-overlay']);
  assert.equal(command.command, 'up');
  if (command.command !== 'up') return;
  const steps = planClusterUp(command.options, await loadFixtures('calico-overlay'));
  const lines = argvs(steps);
  assert.ok(lines.includes('containerlab deploy --reconfigure -t fixtures/topologies/calico-overlay/topology.clab.yaml'), lines.join('\n'));
  assert.ok(!lines.some((line) => line.startsWith('kind create cluster')));
  assert.ok(lines.some((line) => line.includes('--context kind-k01')));
  assert.match(stdinOf(steps, 'fixtures/topologies/calico-overlay/calico-installation.yaml') ?? '', /10\.10\.0\.0\/16/);
  assert.deepEqual(toolsOf(steps), ['containerlab', 'docker', 'kind', 'kubectl']);
  assert.throws(() => parseCommand(['up', '--topology', 'nope']), /no topology named "nope"/);
});
