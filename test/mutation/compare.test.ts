import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMatrix, formatMatrix, type FaultOutcome } from '../../support/mutation/compare.ts';
import type { ScenarioResult } from '../../support/run/summary.ts';

const scenario = (claim: string, status: ScenarioResult['status'] = 'passed', message?: string): ScenarioResult => ({
  name: `scenario ${claim}`,
  lesson: 'L',
  claim,
  status,
  message,
});
const clean: FaultOutcome = { fault: undefined, results: [scenario('A-01'), scenario('A-02')] };
const table = new Map([
  ['f1', new Map([['A-01', 'TTL 62; saw 61']])],
  ['f2', new Map([['A-02', '']])],
]);

test('a table that holds has no problems and a 100% kill rate', () => {
  const report = compareMatrix(table, clean, [
    { fault: 'f1', results: [scenario('A-01', 'failed', 'expected TTL 62; saw 61, 61'), scenario('A-02')] },
    { fault: 'f2', results: [scenario('A-01'), scenario('A-02', 'failed', 'anything')] },
  ]);
  assert.deepEqual(report.problems, []);
  assert.equal(report.killRate, 1);
  assert.match(formatMatrix(report), /kill rate: 100% of 2 claims/);
});

test('an unexpected failure, a missing one, a wrong message and a broken run are each reported', () => {
  const report = compareMatrix(table, clean, [
    { fault: 'f1', results: [scenario('A-01', 'failed', 'saw 63'), scenario('A-02', 'failed', 'surprise')] },
    { fault: 'f2', results: [scenario('A-01'), scenario('A-02', 'broken', 'no such pod')] },
  ]);
  const text = report.problems.join('\n');
  assert.match(text, /f1: \[A-01\] failed, but its message lacks "TTL 62; saw 61"/);
  assert.match(text, /f1: unexpected failure of \[A-02\]/);
  assert.match(text, /f2: \[A-02\] .* broke \(an environment error\)/);
});

test('a claim no fault fails and a fault that fails nothing are findings', () => {
  const report = compareMatrix(new Map([['f1', new Map()]]), clean, [{ fault: 'f1', results: [scenario('A-01'), scenario('A-02')] }]);
  assert.match(report.problems.join('\n'), /f1: no scenario failed/);
  assert.match(report.problems.join('\n'), /\[A-01\] is failed by no fault/);
  assert.equal(report.killRate, 0);
});

test('a run of chosen faults checks their rows alone: claims they do not reach are no survivors', () => {
  const report = compareMatrix(
    new Map([['f1', new Map([['A-01', '']])]]),
    clean,
    [{ fault: 'f1', results: [scenario('A-01', 'failed', 'x'), scenario('A-02')] }],
    false,
  );
  assert.deepEqual(report.problems, []);
  const wrongRow = compareMatrix(
    new Map([['f1', new Map([['A-02', '']])]]),
    clean,
    [{ fault: 'f1', results: [scenario('A-01', 'failed', 'x'), scenario('A-02')] }],
    false,
  );
  assert.match(wrongRow.problems.join('\n'), /f1: unexpected failure of \[A-01\][^]*f1: expected \[A-02\] to fail, but it passed/);
});

test('a row marked "may pass: " lets that claim pass under its fault, and still checks the message when it fails', () => {
  const rows = new Map([
    [
      'f1',
      new Map([
        ['A-01', 'may pass: the connection failed'],
        ['A-02', ''],
      ]),
    ],
  ]);
  const passed = compareMatrix(rows, clean, [{ fault: 'f1', results: [scenario('A-01'), scenario('A-02', 'failed', 'x')] }], false);
  assert.deepEqual(passed.problems, []);
  const wrong = compareMatrix(
    rows,
    clean,
    [{ fault: 'f1', results: [scenario('A-01', 'failed', 'timed out'), scenario('A-02', 'failed', 'x')] }],
    false,
  );
  assert.match(wrong.problems.join('\n'), /f1: \[A-01\] failed, but its message lacks "the connection failed"/);
});
