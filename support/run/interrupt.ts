/**
 * Ctrl-C during a run: the runner leaves a mark in the reports folder, which every cucumber
 * process (this one, or a --parallel worker) sees. Scenarios not yet started are skipped, one
 * cut short is marked, and both are reported as interrupted, not as failed.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR } from './report.ts';

const MARK = join(REPORTS_DIR, '.interrupted');
export const INTERRUPTED_LABEL = 'interrupted';

export function markInterrupted(signal: string): void {
  mkdirSync(REPORTS_DIR, { recursive: true });
  writeFileSync(MARK, `${signal}\n`);
}

export function clearInterrupted(): void {
  rmSync(MARK, { force: true });
}

export function wasInterrupted(): string | undefined {
  return existsSync(MARK) ? readFileSync(MARK, 'utf8').trim() || 'SIGINT' : undefined;
}

interface AllureResultFile {
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  labels?: { name: string; value: string }[];
}

/**
 * Allure knows no "interrupted" status: a scenario labelled interrupted is shown as skipped,
 * its message saying why (and what it saw when it was cut short).
 */
export function markInterruptedResults(resultsDir: string): number {
  let marked = 0;
  for (const file of readdirSync(resultsDir).filter((name) => name.endsWith('-result.json'))) {
    const path = join(resultsDir, file);
    const result = JSON.parse(readFileSync(path, 'utf8')) as AllureResultFile;
    const label = result.labels?.find((candidate) => candidate.name === INTERRUPTED_LABEL);
    if (!label || result.status === 'passed') continue;
    const seen = result.statusDetails?.message ? ` — when it stopped: ${result.statusDetails.message}` : '';
    result.status = 'skipped';
    result.statusDetails = { ...result.statusDetails, message: `interrupted by ${label.value}${seen}` };
    writeFileSync(path, JSON.stringify(result));
    marked += 1;
  }
  return marked;
}
