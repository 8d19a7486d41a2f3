/**
 * The lab's commands from the outside: bad input and a missing environment get exit code 2
 * with a message that says what to do, and nothing is left behind; a crashed lab is cleared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { labDown, labNamespaces, labUp } from '../../support/lab/lab.ts';
import { removeState } from '../../support/lab/state.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

function lab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/lab.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

test('an unknown option or command is exit code 2 with the usage', () => {
  for (const args of [['up', '--colour'], ['sideways'], ['up', '--workers', 'many']]) {
    const { code, out } = lab(args);
    assert.equal(code, 2, out);
    assert.match(out, /usage: npm run lab:up/);
  }
});

test('a fixture with a bad CIDR is refused before anything is created', { skip: !isRoot && 'needs root' }, async () => {
  const fixtures = mkdtempSync(join(tmpdir(), 'podnet-fixtures-'));
  try {
    cpSync(join(ROOT, 'fixtures/topologies/kind'), fixtures, { recursive: true });
    writeFileSync(
      join(fixtures, 'kind-cluster.yaml'),
      'kind: Cluster\nname: pnibad\nnetworking:\n  podSubnet: "192.168.1.1/16"\nnodes:\n  - role: control-plane\n',
    );
    const { code, out } = lab(['up', '--fixtures', fixtures]);
    assert.equal(code, 1, out);
    assert.match(out, /has host bits set; did you mean 192\.168\.0\.0\/16\?/);
    assert.deepEqual(await labNamespaces('pnibad'), []);
  } finally {
    rmSync(fixtures, { recursive: true, force: true });
  }
});

test('missing tools are named with the package to install, exit code 2', { skip: !isRoot && 'needs root' }, () => {
  // An empty PATH: no ip, ping, tcpdump, iptables, and no apt-get to install them with.
  const { code, out } = lab(['up', '--name', 'pnipre'], { ...process.env, PATH: '/nonexistent' });
  assert.equal(code, 2, out);
  for (const pkg of ['iproute2', 'iputils-ping', 'tcpdump']) assert.match(out, new RegExp(`apt-get install -y ${pkg}`));
});

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

test(
  'without root or CAP_NET_ADMIN the preflight says so, exit code 2',
  { skip: (!isRoot && 'needs root to drop privileges') || (!hasSetpriv && 'needs setpriv (util-linux)') },
  () => {
    const result = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all',
        process.execPath,
        '--import',
        'tsx',
        join(ROOT, 'bin/lab.ts'),
        'up',
        '--name',
        'pninoroot',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, HOME: '/tmp' },
      },
    );
    const out = `${result.stdout}${result.stderr}`;
    assert.equal(result.status, 2, out);
    assert.match(out, /root, or CAP_NET_ADMIN/);
  },
);

test(
  'a lab whose run crashed (no state file) is refused by lab:up and cleared by lab:down',
  { skip: !isRoot && 'needs root' },
  async () => {
    const name = 'pnicrash';
    await labDown(name);
    await labUp({ name });
    removeState(name); // what a crash before the state was written back would leave
    await assert.rejects(labUp({ name }), /exist without a state file \(a crashed run\?\)\n.*clear them with npm run lab:down/);
    const { code, out } = lab(['down', '--name', name]);
    assert.equal(code, 0, out);
    assert.deepEqual(await labNamespaces(name), []);
  },
);

test('lab:down and lab:status on a short name say which labs a run of that name brought up, and remove nothing', () => {
  const states = mkdtempSync(join(tmpdir(), 'podnet-states-'));
  try {
    writeFileSync(join(states, 'pnishort-calico-qos.json'), '{}');
    const env = { ...process.env, PODNET_STATE_DIR: states };
    const down = lab(['down', '--name', 'pnishort'], env);
    assert.equal(down.code, 0, down.out);
    assert.match(
      down.out,
      /no embedded lab named pnishort is running, but a run named so brought up pnishort-calico-qos: name one in full \(--name pnishort-calico-qos\) or by its topology \(--name pnishort --topology calico-qos\); nothing removed/,
    );
    assert.ok(existsSync(join(states, 'pnishort-calico-qos.json')), 'the other lab is left alone');
    const status = lab(['status', '--name', 'pnishort'], env);
    assert.match(status.out, /a run named so brought up pnishort-calico-qos/);
    assert.match(
      lab(['down', '--name', 'pninone'], env).out,
      /no embedded lab named pninone is running \(npm run lab:status lists those that are\); nothing removed/,
    );
  } finally {
    rmSync(states, { recursive: true, force: true });
  }
});
