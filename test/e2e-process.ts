/** `npm run e2e` as a process of its own, for the tests that are about a whole run on the embedded lab. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { FaultOutcome } from '../support/mutation/compare.ts';
import { readResults } from '../support/run/summary.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Runs the features (all, or those `extraArgs` select) on lab `labName`, broken by `fault` if given, and reads back the results. */
export async function runE2eProcess(fault: string | undefined, labName: string, extraArgs: string[] = []): Promise<FaultOutcome> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-e2e-process-'));
  try {
    const args = ['--import', 'tsx', join(ROOT, 'bin/e2e.ts'), '--target', 'netns', '--no-report', '--lab', labName];
    if (fault) args.push('--fault', fault);
    const result = await execa(process.execPath, [...args, ...extraArgs], {
      cwd: ROOT,
      reject: false,
      env: { PODNET_REPORTS_DIR: reports },
      all: true,
      timeout: 900_000,
    });
    const results = readResults(join(reports, 'allure-results'));
    if (results.length === 0)
      return {
        fault,
        results,
        error: `no results (exit ${result.exitCode}): ${String(result.all).trim().split('\n').slice(-3).join(' / ')}`,
      };
    return { fault, results };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}
