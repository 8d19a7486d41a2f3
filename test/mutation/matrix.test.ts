/**
 * The whole proof that every claim can fail, in one pass (npm run mutation does the same): the
 * lesson features against the clean embedded lab and against every fault, each fault undone on
 * a lab kept for the whole run. From that one run:
 * - the table in expected-failures.yaml holds exactly, with a 100% kill rate;
 * - every undo brings its lab back to clean (its model, and its nodes' and router's links,
 *   routes and rules), as a person who tries `lab:fault` and `lab:fault -- --undo` expects;
 * - every failed scenario under every fault carries a diagnosis: a specific runbook where one
 *   fits (extra-hop fails L03-07/08/11) and the default one elsewhere (node-not-ready fails
 *   L02-01, which no runbook of the course names).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { FAULTS } from '../../support/lab/faults/faults.ts';
import { checkMatrix, formatMatrix } from '../../support/mutation/check.ts';
import { loadExpectations } from '../../support/mutation/expectations.ts';
import { runMatrix, type MatrixRun } from '../../support/mutation/run.ts';
import { wholeSuiteSkip } from '../whole-suite.ts';

const skip = wholeSuiteSkip();
let run: MatrixRun;

before(
  async () => {
    if (skip) return;
    const started = performance.now();
    run = await runMatrix(FAULTS.map((fault) => fault.name));
    const slowest = [...run.timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(
      `matrix: ${FAULTS.length} faults in ${Math.round((performance.now() - started) / 1000)} s; slowest: ${slowest.map((t) => `${t.fault}@${t.topology} ${Math.round(t.ms / 1000)} s`).join(', ')}`,
    );
  },
  { timeout: 3_000_000 },
);

test(
  'every fault fails exactly its claims, every claim is failed by a fault, every undo is clean, every failure diagnosed',
  { skip },
  () => {
    const { report, problems } = checkMatrix(loadExpectations(), run, { complete: true });
    console.log(formatMatrix(report));
    assert.deepEqual(problems, []);
    assert.equal(report.killRate, 1);
  },
);

test('the diagnosis names the cause where a runbook fits, and falls back to the default one elsewhere', { skip }, () => {
  assert.ok(
    run.diagnoses.get('extra-hop')?.some((text) => /an extra hop or a wrong block route/.test(text)),
    'the cross-node runbook names the cause under extra-hop',
  );
  assert.ok(
    run.diagnoses.get('node-not-ready')?.some((text) => text.includes('No specific runbook fits this claim')),
    'the default runbook under node-not-ready',
  );
});
