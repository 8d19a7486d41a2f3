/** A matrix run killed before its fault runs tore down leaves labs and results folders that the next matrix run clears. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { labNamespaces } from '../../support/lab/lab.ts';
import { clearOrphanedMatrixLabs } from '../../support/mutation/run.ts';
import { clearOrphanedResults, newResultsFolder } from '../../support/mutation/results-folder.ts';

const isRoot = process.getuid?.() === 0;
// A pid no process has: beyond the kernel's default pid_max.
const DEAD = 'pnmut9999999s0';
const ALIVE = `pnmut${process.pid}s1`;

test('labs of a dead matrix run are cleared, those of a live one kept', { skip: !isRoot && 'needs root' }, async () => {
  execFileSync('ip', ['netns', 'add', `pnl-${DEAD}.node-a`]);
  execFileSync('ip', ['netns', 'add', `pnl-${ALIVE}.node-a`]);
  try {
    const cleared = await clearOrphanedMatrixLabs();
    assert.ok(cleared.includes(DEAD), `cleared ${cleared.join(', ')}`);
    assert.ok(!cleared.includes(ALIVE));
    assert.deepEqual(await labNamespaces(DEAD), []);
    assert.deepEqual(await labNamespaces(ALIVE), [`pnl-${ALIVE}.node-a`]);
  } finally {
    execFileSync('ip', ['netns', 'delete', `pnl-${ALIVE}.node-a`]);
    if ((await labNamespaces(DEAD)).length) execFileSync('ip', ['netns', 'delete', `pnl-${DEAD}.node-a`]);
  }
});

test('results folders of a dead matrix run are cleared, those of a live one kept', () => {
  const dead = newResultsFolder(9_999_999);
  const live = newResultsFolder(process.pid);
  try {
    // Only the made-up pid is dead: a matrix run going on beside this test (npm test runs one) keeps its folders.
    const cleared = clearOrphanedResults((pid) => pid !== 9_999_999);
    assert.ok(cleared.includes(basename(dead)), `cleared ${cleared.join(', ')}`);
    assert.ok(!existsSync(dead));
    assert.ok(existsSync(live));
  } finally {
    rmSync(live, { recursive: true, force: true });
    rmSync(dead, { recursive: true, force: true });
  }
});
