/**
 * Every fault can be undone: a lab broken by each fault in turn and mended each time passes
 * every scenario again, as a person who tries `lab:fault` and `lab:fault -- --undo` expects.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FAULTS } from '../../support/lab/faults/faults.ts';
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../../support/lab/lab.ts';
import { readState } from '../../support/lab/state.ts';
import { runUnderFault } from '../../support/mutation/run.ts';
import { faultApplies } from '../../support/lab/faults/faults.ts';
import { labNameFor, listTopologies } from '../../support/topology/catalogue.ts';
import { wholeSuiteSkip } from '../whole-suite.ts';

const LAB = 'pnundo';
const isRoot = process.getuid?.() === 0;
const labs = listTopologies().map((topology) => ({ topology, name: labNameFor(LAB, topology) }));
after(async () => {
  if (isRoot) for (const lab of labs) await labDown(lab.name);
});

test(
  'after each fault is applied and undone, the lab is as it was and every scenario passes',
  { skip: wholeSuiteSkip(), timeout: 900_000 },
  async () => {
    for (const { topology, name } of labs) {
      await labDown(name);
      const { state: before } = await labUp({ topology, name });
      const model = (state: typeof before) =>
        JSON.stringify({
          nodes: state.nodes.map(({ holderPid: _, ...node }) => node),
          pods: state.pods,
          ipam: state.ipam,
          spec: state.spec,
        });
      for (const fault of FAULTS.filter((candidate) => faultApplies(candidate, topology))) {
        await labApplyFaults(name, [fault.name]);
        const mended = await labUndoFaults(name);
        assert.deepEqual(mended.faults, []);
        assert.equal(model(mended), model(before), `undoing ${fault.name} on topology ${topology} left the model changed`);
      }
      assert.equal(readState(name)?.faults.length, 0);
    }
    // The run attaches to the mended lab (and leaves it up for the after hook to remove).
    const outcome = await runUnderFault(undefined, LAB);
    assert.deepEqual(
      outcome.results
        .filter((result) => result.status !== 'passed' && result.status !== 'skipped')
        .map((result) => `[${result.claim}] ${result.message?.split('\n')[0]}`),
      [],
    );
    assert.ok(outcome.results.length > 0);
  },
);
