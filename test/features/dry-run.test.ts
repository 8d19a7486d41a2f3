/**
 * Every step of every feature is defined: a cucumber dry run (which needs no cluster) prints
 * a snippet for each undefined step. Shown to fail on a feature with an undefined step.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

function dryRun(extraPaths: string[] = []) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--profile', 'dry', ...extraPaths],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('every step of every feature is defined', () => {
  const { code, stdout, stderr } = dryRun();
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), '', `undefined steps:\n${stdout}`);
});

test('the check catches an undefined step', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-dry-'));
  try {
    const feature = join(dir, 'undefined.feature');
    writeFileSync(feature, 'Feature: x\n  Scenario: y\n    Then the moon is made of cheese\n');
    const { stdout } = dryRun([feature]);
    assert.match(stdout, /the moon is made of cheese/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
