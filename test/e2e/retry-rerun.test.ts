/**
 * @flaky scenarios are retried (cucumber's retry with a tag filter), every attempt in the
 * results; `--rerun` runs only what failed in the last run (cucumber's rerun file).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { labDown, labUp } from '../../support/lab/lab.ts';
import { readResults } from '../../support/run/summary.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const LAB = 'pnretry';
const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'podnet-retry-'));
const reports = join(dir, 'reports');

before(async () => {
  if (isRoot) await labUp({ name: LAB }); // kept: both runs attach to it
});
after(async () => {
  if (isRoot) await labDown(LAB);
  rmSync(dir, { recursive: true, force: true });
});

function e2e(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/e2e.ts', '--target', 'netns', '--lab', LAB, '--no-report', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PODNET_REPORTS_DIR: reports },
    timeout: 300_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

test(
  'a @flaky scenario is tried three times, each attempt in the results; --rerun runs only what failed',
  { skip: !isRoot && 'needs root' },
  () => {
    const feature = join(dir, 'flaky.feature');
    writeFileSync(
      feature,
      [
        '@lesson-02',
        'Feature: retries',
        '',
        '  @claim:L02-01 @flaky',
        '  Scenario: a claim that never holds, tried again',
        '    Then the cluster has 9 control-plane nodes and 0 worker nodes',
        '',
        '  @claim:L02-01',
        '  Scenario: a claim that holds, tried once',
        '    Then every node is Ready',
        '',
      ].join('\n'),
    );
    const first = e2e([feature]);
    assert.equal(first.code, 1, first.out);
    const results = readResults(join(reports, 'allure-results'));
    const flaky = results.find((result) => result.name === 'a claim that never holds, tried again');
    assert.equal(flaky?.attempts, 3, first.out);
    assert.equal(flaky?.status, 'failed');
    assert.equal(results.find((result) => result.name === 'a claim that holds, tried once')?.attempts, 1);
    const attempts = readdirSync(join(reports, 'allure-results'))
      .filter((file) => file.endsWith('-result.json'))
      .map((file) => JSON.parse(readFileSync(join(reports, 'allure-results', file), 'utf8')) as { name: string })
      .filter((result) => result.name === 'a claim that never holds, tried again');
    assert.equal(attempts.length, 3, 'every attempt is a result of its own in the report');
    assert.match(first.out, /\(3 attempts\)/);
    assert.match(readFileSync(join(reports, 'rerun.txt'), 'utf8'), /flaky\.feature:5/);

    const rerun = e2e(['--rerun']);
    assert.equal(rerun.code, 1, rerun.out);
    const again = readResults(join(reports, 'allure-results'));
    assert.deepEqual(
      again.map((result) => result.name),
      ['a claim that never holds, tried again'],
      'only the scenario that failed',
    );
  },
);
