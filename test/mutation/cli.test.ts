/**
 * npm run mutation -- --fault <name>: one fault's row is checked alone, against its
 * topology's clean lab; the run exits 0 when the row holds and 1, naming the difference, when
 * the table is wrong — so a deliberately wrong row fails npm test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { EXPECTATIONS_FILE } from '../../support/mutation/expectations.ts';
import { wholeSuiteSkip } from '../whole-suite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
// The cheapest fault to run: its topology (multi-ippool) has the fewest scenarios.
const FAULT = 'pools-annotation-ignored';

const mutation = (args: string[]) =>
  execa(process.execPath, ['--import', 'tsx', 'bin/mutation.ts', '--fault', FAULT, ...args], { cwd: ROOT, reject: false, all: true });

test(
  `--fault ${FAULT}: the row holds (exit 0); with a wrong row it does not (exit 1, naming it)`,
  { skip: wholeSuiteSkip(), timeout: 600_000 },
  async () => {
    const table = parse(readFileSync(EXPECTATIONS_FILE, 'utf8')) as Record<string, Record<string, string>>;
    const row = table[FAULT] as Record<string, string>;
    const dir = mkdtempSync(join(tmpdir(), 'podnet-mutation-cli-'));
    try {
      // A claim the fault does fail, struck from its row: now an unexpected failure.
      const [struck] = Object.keys(row);
      const wrong = { ...table, [FAULT]: Object.fromEntries(Object.entries(row).filter(([claim]) => claim !== struck)) };
      writeFileSync(join(dir, 'wrong.yaml'), stringify(wrong));
      const [right, wrongRun] = await Promise.all([mutation([]), mutation(['--table', join(dir, 'wrong.yaml')])]);
      assert.equal(right.exitCode, 0, right.all);
      assert.match(String(right.all), new RegExp(`the rows of ${FAULT} hold`));
      assert.equal(wrongRun.exitCode, 1, wrongRun.all);
      assert.match(String(wrongRun.all), new RegExp(`${FAULT}: unexpected failure of \\[${struck}\\]`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
