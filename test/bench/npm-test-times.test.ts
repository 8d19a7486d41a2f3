import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { npmTestRows, parseTestTimes } from '../../bench/npm-test-times.ts';

test('the record of npm test is read line by line, and a line of another form is refused, naming it', () => {
  assert.deepEqual(parseTestTimes('120 the 80 files that run no whole suite\n600 test/mutation/matrix.test.ts\n'), [
    { seconds: 120, what: 'the 80 files that run no whole suite' },
    { seconds: 600, what: 'test/mutation/matrix.test.ts' },
  ]);
  assert.throws(() => parseTestTimes('120 ok\nabout ten minutes\n'), /:2: not "<seconds> <what>": about ten minutes/);
});

test('the whole run is set against its goal of 15 minutes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-bench-times-'));
  try {
    writeFileSync(join(dir, 't.txt'), '700 test/mutation/matrix.test.ts\n950 npm test in all\n');
    const rows = npmTestRows(join(dir, 't.txt'));
    assert.equal(rows.length, 2);
    assert.match(rows[1]?.[4] ?? '', /goal ≤ 15 min: not met/);
    assert.deepEqual(npmTestRows(join(dir, 'none.txt'))[0]?.[0], 'npm test: no record yet (run npm test first)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
