/**
 * The mutation matrix: the lesson features against the clean embedded lab and against every
 * fault; the table in expected-failures.yaml must hold exactly (issue: every claim can fail).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAULTS } from '../../support/lab/faults/faults.ts';
import { compareMatrix, formatMatrix } from '../../support/mutation/compare.ts';
import { loadExpectations } from '../../support/mutation/expectations.ts';
import { runAll } from '../../support/mutation/run.ts';
import { wholeSuiteSkip } from '../whole-suite.ts';

test(
  'every fault fails exactly its claims and every claim is failed by a fault',
  { skip: wholeSuiteSkip(), timeout: 3_000_000 },
  async () => {
    const { clean, faulted } = await runAll(FAULTS.map((fault) => fault.name));
    const report = compareMatrix(loadExpectations(), clean, faulted);
    console.log(formatMatrix(report));
    assert.deepEqual(report.problems, []);
    assert.equal(report.killRate, 1);
  },
);
