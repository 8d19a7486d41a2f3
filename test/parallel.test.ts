import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignScenario, runsAlone, topologyOfPickle } from '../support/parallel.ts';

type Step = { text: string; type: 'Context' | 'Action' | 'Outcome' };
type Pickle = Parameters<typeof assignScenario>[0];
const pickle = (...steps: Step[]) => ({ steps, tags: [] }) as unknown as Pickle;
const on = (topology: string, scenario: Pickle) =>
  ({
    ...scenario,
    tags: [
      { name: `@topology:${topology}`, astNodeId: '1' },
      { name: '@lesson-07', astNodeId: '2' },
    ],
  }) as unknown as Pickle;
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

test('under --parallel, a scenario that sets up, changes or captures runs alone on its lab', () => {
  for (const alone of [lifecycle, replaced, rpFilter, capturing]) assert.equal(runsAlone(alone), true);
  assert.equal(runsAlone(mesh), false);
  assert.equal(assignScenario(lifecycle, []), true);
  assert.equal(assignScenario(replaced, [unique]), false, 'not beside a scenario that lists every pod');
  assert.equal(assignScenario(mesh, [rpFilter]), false, 'nothing starts beside it');
  assert.equal(assignScenario(mesh, [unique]), true, 'scenarios that only look run side by side');
});

test('under --parallel, scenarios of different topologies run side by side, whatever they do', () => {
  assert.equal(topologyOfPickle(mesh), 'kind', 'an untagged feature is on the default topology');
  assert.equal(topologyOfPickle(on('calico-bgp', mesh)), 'calico-bgp');
  assert.equal(assignScenario(on('calico-bgp', lifecycle), [replaced, rpFilter]), true, 'the other labs are busy, its own is free');
  assert.equal(assignScenario(on('calico-bgp', mesh), [rpFilter]), true);
  assert.equal(assignScenario(lifecycle, [on('calico-bgp', replaced)]), true);
  assert.equal(assignScenario(on('calico-bgp', lifecycle), [on('calico-bgp', unique), rpFilter]), false, 'its own lab is in use');
  assert.equal(assignScenario(on('calico-bgp', unique), [on('calico-bgp', capturing)]), false, 'its own lab runs one alone');
});
