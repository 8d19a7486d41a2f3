import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caliInterfaceName, generatedPodName, labObjectPrefix, podNetns } from '../../support/lab/naming.ts';

test('host interface names match the pairs seen on a real Calico lab', () => {
  assert.equal(caliInterfaceName('default', 'multitool'), 'cali6d09fa47963');
  assert.equal(caliInterfaceName('default', 'multitool-2-mf8vt'), 'cali3174bc812f3');
});

test('a host interface name fits the kernel limit of 15 characters', () => {
  assert.equal(caliInterfaceName('a-very-long-namespace-name', 'a-very-long-pod-name-abcde').length, 15);
});

test('generated pod names use the base, a dash and five characters of the Kubernetes alphabet', () => {
  const name = generatedPodName('multitool-1');
  assert.match(name, /^multitool-1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(
    generatedPodName('ds', () => 0),
    'ds-bbbbb',
  );
});

test('pod namespaces carry the lab prefix and the pod identity', () => {
  assert.equal(podNetns('podnet', 'default', 'multitool'), 'pnl-podnet.pod-default.multitool');
  // The prefix of one lab is never the prefix of another's objects.
  assert.ok(!podNetns('podnet-b', 'default', 'x').startsWith(labObjectPrefix('podnet')));
});
