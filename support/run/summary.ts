/**
 * The run's summary per lesson, read back from the Allure results (one JSON file per
 * scenario), so the console and the report can never disagree.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable } from '../cli/table.ts';

export type ScenarioStatus = 'passed' | 'failed' | 'broken' | 'skipped' | 'interrupted' | 'unknown';

export interface ScenarioResult {
  name: string;
  lesson: string;
  claim: string | undefined;
  status: ScenarioStatus;
  message: string | undefined;
  /** How many times it ran (a @flaky scenario is retried). */
  attempts?: number;
  /** The names of its attachments, its hooks' included (diagnosis.txt, capture-….pcap, …). */
  attachments?: string[];
  /** How long its last attempt took, in ms (absent when the reporter did not say). */
  ms?: number;
}

interface Attached {
  name?: string;
  attachments?: { name: string }[];
  steps?: Attached[];
}

function attachmentNames(items: Attached[] = []): string[] {
  return items.flatMap((item) => [...(item.attachments ?? []).map((attachment) => attachment.name), ...attachmentNames(item.steps)]);
}

/** Hooks' attachments live in the "container" files, whose children are the results' uuids. */
function hookAttachments(resultsDir: string, files: string[]): Map<string, string[]> {
  const byResult = new Map<string, string[]>();
  for (const file of files.filter((name) => name.endsWith('-container.json'))) {
    const container = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as {
      children?: string[];
      befores?: Attached[];
      afters?: Attached[];
    };
    const names = attachmentNames([...(container.befores ?? []), ...(container.afters ?? [])]);
    for (const child of container.children ?? []) byResult.set(child, [...(byResult.get(child) ?? []), ...names]);
  }
  return byResult;
}

interface AllureResult {
  name?: string;
  historyId?: string;
  uuid?: string;
  start?: number;
  stop?: number;
  status?: string;
  statusDetails?: { message?: string };
  labels?: { name: string; value: string }[];
  steps?: Attached[];
  attachments?: { name: string }[];
}

export function readResults(resultsDir: string): ScenarioResult[] {
  let all: string[];
  try {
    all = readdirSync(resultsDir);
  } catch {
    return [];
  }
  const files = all.filter((file) => file.endsWith('-result.json'));
  const hooks = hookAttachments(resultsDir, all);
  const results = files.map((file) => ({ file, result: JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as AllureResult }));
  // A retried scenario has one result per attempt, all with one historyId: the last attempt counts.
  const attempts = new Map<string, { file: string; result: AllureResult }[]>();
  for (const entry of results) {
    const key = entry.result.historyId ?? entry.result.uuid ?? entry.file;
    attempts.set(key, [...(attempts.get(key) ?? []), entry]);
  }
  return [...attempts.values()].map((tries) => {
    const { file, result } = tries.reduce((last, entry) => ((entry.result.stop ?? 0) >= (last.result.stop ?? 0) ? entry : last));
    const label = (name: string) => result.labels?.find((candidate) => candidate.name === name)?.value;
    const interrupted = label('interrupted') !== undefined && result.status !== 'passed';
    const status = interrupted
      ? 'interrupted'
      : ((['passed', 'failed', 'broken', 'skipped'] as const).find((known) => known === result.status) ?? 'unknown');
    return {
      name: result.name ?? file,
      lesson: label('epic') ?? 'other',
      claim: label('claim'),
      status,
      message: result.statusDetails?.message,
      attempts: tries.length,
      attachments: [...attachmentNames([result]), ...(hooks.get(result.uuid ?? '') ?? [])],
      ...(result.start !== undefined && result.stop !== undefined ? { ms: result.stop - result.start } : {}),
    };
  });
}

export function formatSummary(results: ScenarioResult[]): string {
  const lessons = [...new Set(results.map((result) => result.lesson))].sort();
  const count = (lesson: string, status: ScenarioStatus) =>
    String(results.filter((r) => r.lesson === lesson && r.status === status).length);
  const table = formatTable(
    ['LESSON', 'PASSED', 'FAILED', 'BROKEN', 'SKIPPED', 'INTERRUPTED'],
    lessons.map((lesson) => [
      lesson,
      count(lesson, 'passed'),
      count(lesson, 'failed'),
      count(lesson, 'broken'),
      count(lesson, 'skipped'),
      count(lesson, 'interrupted'),
    ]),
  );
  const problems = results
    .filter((result) => result.status === 'failed' || result.status === 'broken')
    .map(
      (result) =>
        `  ✗ [${result.claim ?? '?'}] ${result.name}${result.status === 'broken' ? ' (environment)' : ''}${(result.attempts ?? 1) > 1 ? ` (${result.attempts} attempts)` : ''}\n      ${result.message?.split('\n')[0] ?? ''}`,
    );
  const retried = results
    .filter((result) => (result.attempts ?? 1) > 1 && result.status === 'passed')
    .map((result) => `  ↻ [${result.claim ?? '?'}] ${result.name}: passed on attempt ${result.attempts} (@flaky)`);
  const interrupted = results.filter((result) => result.status === 'interrupted').length;
  const stopped = interrupted
    ? [`\n${interrupted} scenario(s) interrupted (Ctrl-C): not run to the end, so neither passed nor failed`]
    : [];
  return [table, ...(problems.length ? ['', ...problems] : []), ...(retried.length ? ['', ...retried] : []), ...stopped].join('\n');
}

/** 0 every claim holds, 1 a claim failed, 2 only the environment failed (or nothing could run). */
export function exitCodeFor(results: ScenarioResult[], cucumberExit: number): number {
  if (results.some((result) => result.status === 'failed')) return 1;
  if (results.some((result) => result.status === 'broken')) return 2;
  if (cucumberExit === 0) return 0;
  return results.length === 0 ? 2 : 1;
}
