/**
 * Which lessons a run selects: the lesson folders of the scenarios cucumber would run with the
 * run's tag expression and paths (its own loadSources, so the selection is cucumber's). A
 * lesson's workloads (fixtures/lessons/lesson-NN/) are applied on a live cluster only then.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfiguration, loadSources } from '@cucumber/cucumber/api';
import type { E2eOptions } from './options.ts';
import { tagExpression } from './options.ts';

export const LESSON_FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures/lessons');

/** `features/04-k8s-services/x.feature` → `lesson-04`; features outside a numbered lesson folder → undefined. */
export function lessonOfFeature(uri: string): string | undefined {
  const folder = /(?:^|[\\/])features[\\/](\d{2})-[^\\/]+[\\/]/.exec(uri)?.[1];
  return folder ? `lesson-${folder}` : undefined;
}

export async function selectedLessons(options: Pick<E2eOptions, 'tags' | 'claims' | 'paths'>): Promise<string[]> {
  const tags = tagExpression(options);
  const { runConfiguration } = await loadConfiguration({ provided: tags ? { tags } : {} });
  if (options.paths.length) runConfiguration.sources.paths = options.paths;
  const { plan } = await loadSources(runConfiguration.sources);
  const lessons = plan.map((pickle) => lessonOfFeature(pickle.uri)).filter((lesson): lesson is string => Boolean(lesson));
  return withNeeds(lessons);
}

function withNeeds(lessons: string[]): string[] {
  return [...new Set(lessons.flatMap((lesson) => [...(LESSON_NEEDS[lesson] ?? []), lesson]))].sort();
}

/**
 * The lessons whose workloads the embedded lab must carry for scenarios of these feature files;
 * undefined (every lesson's) when one of them is outside a numbered lesson folder, whose
 * needs no folder name tells.
 */
export function labLessonsFor(featureUris: string[]): string[] | undefined {
  const lessons = featureUris.map(lessonOfFeature);
  if (lessons.some((lesson) => lesson === undefined)) return undefined;
  return withNeeds(lessons as string[]);
}

/** Lessons built on another's workloads: 05 asks the DNS for lesson 04's nginx-service, 11 adds Services to its nginx-deployment. */
export const LESSON_NEEDS: Record<string, string[]> = { 'lesson-05': ['lesson-04'], 'lesson-11': ['lesson-04'] };

/** The fixture folders of those lessons that have workloads of their own. */
export function lessonWorkloadDirs(lessons: string[], root = LESSON_FIXTURES_DIR): string[] {
  return lessons.map((lesson) => join(root, lesson)).filter((dir) => existsSync(dir));
}
