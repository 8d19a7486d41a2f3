/**
 * The run's summary per lesson, read back from the Allure results (one JSON file per
 * scenario), so the console and the report can never disagree.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable } from '../cli/table.ts';

export type ScenarioStatus = 'passed' | 'failed' | 'broken' | 'skipped' | 'unknown';

export interface ScenarioResult {
  name: string;
  lesson: string;
  claim: string | undefined;
  status: ScenarioStatus;
  message: string | undefined;
}

interface AllureResult {
  name?: string;
  status?: string;
  statusDetails?: { message?: string };
  labels?: { name: string; value: string }[];
}

export function readResults(resultsDir: string): ScenarioResult[] {
  let files: string[];
  try {
    files = readdirSync(resultsDir).filter((file) => file.endsWith('-result.json'));
  } catch {
    return [];
  }
  return files.map((file) => {
    const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as AllureResult;
    const label = (name: string) => result.labels?.find((candidate) => candidate.name === name)?.value;
    const status = (['passed', 'failed', 'broken', 'skipped'] as const).find((known) => known === result.status) ?? 'unknown';
    return { name: result.name ?? file, lesson: label('epic') ?? 'other', claim: label('claim'), status, message: result.statusDetails?.message };
  });
}

export function formatSummary(results: ScenarioResult[]): string {
  const lessons = [...new Set(results.map((result) => result.lesson))].sort();
  const count = (lesson: string, status: ScenarioStatus) => String(results.filter((r) => r.lesson === lesson && r.status === status).length);
  const table = formatTable(
    ['LESSON', 'PASSED', 'FAILED', 'BROKEN', 'SKIPPED'],
    lessons.map((lesson) => [lesson, count(lesson, 'passed'), count(lesson, 'failed'), count(lesson, 'broken'), count(lesson, 'skipped')]),
  );
  const problems = results
    .filter((result) => result.status === 'failed' || result.status === 'broken')
    .map((result) => `  ✗ [${result.claim ?? '?'}] ${result.name}${result.status === 'broken' ? ' (environment)' : ''}\n      ${result.message?.split('\n')[0] ?? ''}`);
  return [table, ...(problems.length ? ['', ...problems] : [])].join('\n');
}

/** 0 every claim holds, 1 a claim failed, 2 only the environment failed (or nothing could run). */
export function exitCodeFor(results: ScenarioResult[], cucumberExit: number): number {
  if (results.some((result) => result.status === 'failed')) return 1;
  if (results.some((result) => result.status === 'broken')) return 2;
  if (cucumberExit === 0) return 0;
  return results.length === 0 ? 2 : 1;
}
