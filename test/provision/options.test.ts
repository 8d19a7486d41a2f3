import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseCommand, UsageError } from '../../support/provision/options.ts';

test('up without options: the course defaults', () => {
  assert.deepEqual(parseCommand(['up']), {
    command: 'up',
    dryRun: false,
    options: {
      name: 'podnet',
      topology: 'kind',
      k8s: 'v1.28.0',
      calico: 'v3.30.0',
      encapsulation: undefined,
      kubeconfig: undefined,
      waitTimeoutMs: 600_000,
      namespace: 'podnet-e2e',
    },
  });
});

test('up with every option', () => {
  assert.deepEqual(
    parseCommand([
      'up',
      '--name',
      'lab2',
      '--k8s',
      '1.32.0',
      '--calico',
      'v3.29.3',
      '--encapsulation',
      'None',
      '--kubeconfig',
      'out/kc',
      '--wait-timeout',
      '90',
      '--namespace',
      'lab-ns',
      '--dry-run',
    ]),
    {
      command: 'up',
      dryRun: true,
      options: {
        name: 'lab2',
        topology: 'kind',
        k8s: 'v1.32.0',
        calico: 'v3.29.3',
        encapsulation: 'None',
        kubeconfig: resolve('out/kc'),
        waitTimeoutMs: 90_000,
        namespace: 'lab-ns',
      },
    },
  );
});

test('down takes only its own options', () => {
  assert.deepEqual(parseCommand(['down', '--name', 'lab2']), {
    command: 'down',
    dryRun: false,
    options: { name: 'lab2', kubeconfig: undefined },
  });
  assert.throws(() => parseCommand(['down', '--k8s', 'v1.30.6']), UsageError);
});

for (const [argv, message] of [
  [['up', '--bogus'], /Unknown option '--bogus'/],
  [['up', '--k8s'], /--k8s/],
  [['up', 'extra'], /positional/],
  [['up', '--encapsulation', 'vxlan'], /expected one of VXLAN, VXLANCrossSubnet/],
  [['up', '--k8s', 'latest'], /expected a release version/],
  [
    ['up', '--k8s', 'v1.31.2'],
    /no kindest\/node image of it is paired with the kind release that built it; choose one of v1\.28\.0, v1\.30\.6, v1\.32\.0/,
  ],
  [['up', '--calico', 'v4.0.0'], /--calico/],
  [['up', '--name', 'Bad_Name'], /--name/],
  [['up', '--wait-timeout', '0'], /positive number/],
  [['sideways'], /unknown command/],
  [[], /missing command/],
] as const) {
  test(`refused: ${argv.join(' ') || '(nothing)'}`, () => {
    assert.throws(
      () => parseCommand([...argv]),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  });
}
