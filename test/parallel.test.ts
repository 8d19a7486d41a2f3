import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignScenario, changesPods } from '../support/parallel.ts';

const pickle = (...steps: string[]) => ({ steps: steps.map((text) => ({ text })) }) as unknown as Parameters<typeof assignScenario>[0];
const lifecycle = pickle('a new pod is created on a worker node, called "newcomer"', '"newcomer" is deleted');
const mesh = pickle("every pod of the suite reaches every other at its own IP, and each request arrives with the sender's own IP");
const unique = pickle('no two pods share an IP address');

test('a scenario that creates or deletes pods runs alone under --parallel', () => {
  assert.equal(changesPods(lifecycle), true);
  assert.equal(changesPods(mesh), false);
  assert.equal(assignScenario(lifecycle, []), true);
  assert.equal(assignScenario(lifecycle, [unique]), false, 'not beside a scenario that lists every pod');
  assert.equal(assignScenario(mesh, [lifecycle]), false, 'nothing starts beside it');
  assert.equal(assignScenario(mesh, [unique]), true, 'scenarios that only read run side by side');
});
