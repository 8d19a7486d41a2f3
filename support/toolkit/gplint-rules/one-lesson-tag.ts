/** gplint rule: every scenario runs under exactly one lesson tag of support/lessons.ts (its own or its Feature's). */
import type { GherkinData, RuleError } from 'gplint';
import { LESSONS } from '../../lessons.ts';
import { scenarioTagSets } from '../lint/tag-sets.ts';

export const name = 'one-lesson-tag';

const KNOWN = LESSONS.map((lesson) => lesson.tag);
const LESSON_LIKE = /^@lesson-/i;

export function run({ feature }: GherkinData): RuleError[] {
  const errors: RuleError[] = [];
  for (const scenario of scenarioTagSets(feature)) {
    const lessonTags = [...new Set(scenario.tags.filter((tag) => KNOWN.includes(tag) || LESSON_LIKE.test(tag)))];
    const error = (message: string) => errors.push({ message, rule: name, line: scenario.line, column: scenario.column });
    for (const tag of lessonTags.filter((tag) => !KNOWN.includes(tag))) {
      error(`${tag} is not a lesson of support/lessons.ts (known: ${KNOWN.join(', ')})`);
    }
    if (lessonTags.length === 0)
      error(`Scenario "${scenario.name}" has no lesson tag: tag it, or its Feature, with one of ${KNOWN.join(', ')}`);
    if (lessonTags.length > 1)
      error(`Scenario "${scenario.name}" has ${lessonTags.length} lesson tags (${lessonTags.join(', ')}); it takes exactly one`);
  }
  return errors;
}
