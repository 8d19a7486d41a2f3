/**
 * Every fault can be undone: a lab broken by each fault in turn and mended each time passes
 * every scenario again, as a person who tries `lab:fault` and `lab:fault -- --undo` expects.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FAULTS, faultApplies } from '../../support/lab/faults/faults.ts';
import { DEFAULT_TOPOLOGY } from '../../support/topology/catalogue.ts';
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../../support/lab/lab.ts';
import { readState } from '../../support/lab/state.ts';
import { runUnderFault } from '../../support/mutation/run.ts';

const LAB = 'pnundo';
const isRoot = process.getuid?.() === 0;
after(async () => {
  if (isRoot) await labDown(LAB);
});

test('after each fault is applied and undone, the lab is as it was and every scenario passes', { skip: !isRoot && 'needs root', timeout: 300_000 }, async () => {
  await labDown(LAB);
  const { state: before } = await labUp({ name: LAB });
  const model = (state: typeof before) => JSON.stringify({ nodes: state.nodes.map(({ holderPid: _, ...node }) => node), pods: state.pods, ipam: state.ipam, spec: state.spec });
  // The faults of the default topology's lab; the others break parts (a second pool, a lesson's reservation) this lab has not.
  for (const fault of FAULTS.filter((candidate) => faultApplies(candidate, DEFAULT_TOPOLOGY))) {
    await labApplyFaults(LAB, [fault.name]);
    const mended = await labUndoFaults(LAB);
    assert.deepEqual(mended.faults, []);
    assert.equal(model(mended), model(before), `undoing ${fault.name} left the model changed`);
  }
  assert.equal(readState(LAB)?.faults.length, 0);
  // The run attaches to the mended lab (and leaves it up for the after hook to remove).
  const outcome = await runUnderFault(undefined, LAB);
  assert.deepEqual(outcome.results.filter((result) => result.status !== 'passed').map((result) => `[${result.claim}] ${result.message?.split('\n')[0]}`), []);
  assert.ok(outcome.results.length > 0);
});
