/** Turns the Allure results into the HTML report with the Allure 3 CLI (no Java). */
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export const REPORTS_DIR = process.env.PODNET_REPORTS_DIR ?? 'reports';
export const RESULTS_DIR = join(REPORTS_DIR, 'allure-results');
export const REPORT_DIR = join(REPORTS_DIR, 'allure-report');
export const JUNIT_FILE = join(REPORTS_DIR, 'junit.xml');
/** cucumber's rerun formatter: the scenarios (file:line) that failed in the last run, for --rerun. */
export const RERUN_FILE = join(REPORTS_DIR, 'rerun.txt');

export async function generateReport(): Promise<{ ok: boolean; path: string; output: string }> {
  const cli = resolve(import.meta.dirname, '../../node_modules/allure/cli.js');
  const result = await execa(process.execPath, [cli, 'generate', RESULTS_DIR, '--config', 'allurerc.mjs', '-o', REPORT_DIR], {
    reject: false,
    timeout: 120_000,
    all: true,
  });
  return { ok: result.exitCode === 0, path: join(REPORT_DIR, 'index.html'), output: String(result.all ?? '') };
}
