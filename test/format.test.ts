/** The format check can fail: Prettier, with the project's configuration, names a file it would change. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');

test('prettier --check flags a file off the project style, and passes it once formatted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-format-'));
  try {
    cpSync(join(ROOT, '.prettierrc.json'), join(dir, '.prettierrc.json'));
    const file = join(dir, 'sample.ts');
    writeFileSync(file, 'const a = {b:1,  c:"two"}\n');
    const prettier = join(ROOT, 'node_modules/.bin/prettier');
    const check = () => spawnSync(prettier, ['--check', file], { cwd: dir, encoding: 'utf8' });
    const before = check();
    assert.equal(before.status, 1, before.stdout + before.stderr);
    assert.match(before.stdout + before.stderr, /sample\.ts/);
    assert.equal(spawnSync(prettier, ['--write', file], { cwd: dir }).status, 0);
    assert.equal(check().status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
