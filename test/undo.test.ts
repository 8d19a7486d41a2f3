import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keep, putBack, type Restorer } from '../support/undo.ts';

test('putBack runs every undo, last first, and empties the list', async () => {
  const ran: string[] = [];
  const restorers: Restorer[] = [];
  for (const what of ['pool', 'label', 'mtu']) keep(restorers, { what, undo: async () => void ran.push(what) });
  await putBack(restorers, 'this scenario');
  assert.deepEqual(ran, ['mtu', 'label', 'pool']);
  assert.equal(restorers.length, 0);
});

test('an undo that fails does not stop the others; the error names each failure and whose changes they were', async () => {
  const ran: string[] = [];
  const restorers: Restorer[] = [
    { what: 'first', undo: async () => void ran.push('first') },
    { what: 'second', undo: () => Promise.reject(new Error('the API server said no')) },
    { what: 'third', undo: () => Promise.reject(new Error('gone')) },
  ];
  await assert.rejects(putBack(restorers, 'the run'), {
    message: 'could not put back what the run changed: third: gone; second: the API server said no',
  });
  assert.deepEqual(ran, ['first']);
});

test("a thing's first undo is kept and a later one for the same thing dropped: the first puts back the state before both changes", async () => {
  const labels = new Map<string, string | undefined>([['worker', undefined]]);
  const restorers: Restorer[] = [];
  // Added, then removed: the removal's undo would put the label back, and the addition's take it off again.
  keep(restorers, { what: "node worker's label bgp-peer", undo: async () => void labels.set('worker', undefined) });
  labels.set('worker', 'true');
  keep(restorers, { what: "node worker's label bgp-peer", undo: async () => void labels.set('worker', 'true') });
  labels.set('worker', undefined);
  keep(restorers, { what: 'the router maximum-paths', undo: async () => {} });
  assert.deepEqual(
    restorers.map((restorer) => restorer.what),
    ["node worker's label bgp-peer", 'the router maximum-paths'],
  );
  await putBack(restorers, 'this scenario');
  assert.equal(labels.get('worker'), undefined);
});
