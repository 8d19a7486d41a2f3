/**
 * npm run e2e under faults: every failed scenario carries a diagnosis, a specific runbook's
 * where one fits (extra-hop fails L03-07/08/11) and the default one elsewhere (node-not-ready
 * fails L02-01, macvlan-pod the host-side claims, which no runbook of the course names).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readResults } from '../../support/run/summary.ts';
import { wholeSuiteSkip } from '../whole-suite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

for (const fault of ['extra-hop', 'node-not-ready', 'macvlan-pod']) {
  test(`under ${fault}, every failed scenario has a diagnosis`, { skip: wholeSuiteSkip() }, () => {
    const reports = mkdtempSync(join(tmpdir(), 'podnet-every-failure-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bin/e2e.ts', '--target', 'netns', '--lab', 'pneveryfail', '--fault', fault, '--no-report'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, PODNET_REPORTS_DIR: reports },
          timeout: 300_000,
        },
      );
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 1, out);
      const failed = readResults(join(reports, 'allure-results')).filter((result) => result.status === 'failed');
      assert.ok(failed.length > 0, out);
      for (const result of failed)
        assert.ok(result.attachments?.includes('diagnosis.txt'), `[${result.claim}] ${result.name} has no diagnosis`);
      const texts = readdirSync(join(reports, 'allure-results'))
        .filter((file) => file.endsWith('-attachment.txt'))
        .map((file) => readFileSync(join(reports, 'allure-results', file), 'utf8'))
        .filter((text) => text.startsWith('RUNBOOK: '));
      if (fault === 'node-not-ready')
        assert.ok(
          texts.some((text) => text.includes('No specific runbook fits this claim')),
          'the default runbook',
        );
      if (fault === 'extra-hop')
        assert.ok(
          texts.some((text) => /an extra hop or a wrong block route/.test(text)),
          'the cross-node runbook names the cause',
        );
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });
}
