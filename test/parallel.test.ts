import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignScenario, runsAlone } from '../support/parallel.ts';

type Step = { text: string; type: 'Context' | 'Action' | 'Outcome' };
const pickle = (...steps: Step[]) => ({ steps }) as unknown as Parameters<typeof assignScenario>[0];
const given = (text: string): Step => ({ text, type: 'Context' });
const when = (text: string): Step => ({ text, type: 'Action' });
const then = (text: string): Step => ({ text, type: 'Outcome' });

const lifecycle = pickle(when('a new pod is created on a worker node, called "newcomer"'), when('"newcomer" is deleted'));
const replaced = pickle(when('a nginx-deployment pod of the Service "nginx-service" is deleted and its Deployment replaces it'));
const rpFilter = pickle(given("the control-plane node's reverse-path filter is 0"), then('the API server answers'));
const capturing = pickle(
  then('a capture on "client" during its lookup of "no-such-name" with its search list shows, in order, these queries'),
);
const mesh = pickle(then("every pod of the suite reaches every other at its own IP, and each request arrives with the sender's own IP"));
const unique = pickle(then('no two pods share an IP address'));

test('under --parallel, a scenario that sets up, changes or captures runs alone', () => {
  for (const alone of [lifecycle, replaced, rpFilter, capturing]) assert.equal(runsAlone(alone), true);
  assert.equal(runsAlone(mesh), false);
  assert.equal(assignScenario(lifecycle, []), true);
  assert.equal(assignScenario(replaced, [unique]), false, 'not beside a scenario that lists every pod');
  assert.equal(assignScenario(mesh, [rpFilter]), false, 'nothing starts beside it');
  assert.equal(assignScenario(mesh, [unique]), true, 'scenarios that only look run side by side');
});
