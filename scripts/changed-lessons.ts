/**
 * The lessons a change touches, one tag a line, for `npm run test:quick`: the working tree's
 * changes against HEAD (or, with none, the last commit's files), mapped to lessons —
 * a feature file to its own lesson tags, a topology's fixtures to the lessons that run on it, a
 * lesson's workloads to that lesson, and any step or support code to lessons 02 and 03, the
 * quickest run that crosses every floor of the suite.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { featuresOfTopologies } from '../support/topology/features.ts';

const SMOKE = ['@lesson-02', '@lesson-03'];
const LESSON_TAG = /@(?:lesson-\d+|network-model)\b/g;

const git = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).split('\n').filter(Boolean);

function changedFiles(): string[] {
  const changed = [...git(['diff', '--name-only', 'HEAD']), ...git(['ls-files', '--others', '--exclude-standard'])];
  return changed.length > 0 ? changed : git(['diff', '--name-only', 'HEAD~1', 'HEAD']);
}

const lessonTagsOf = (file: string) => {
  try {
    return readFileSync(file, 'utf8').match(LESSON_TAG) ?? [];
  } catch {
    return []; // a deleted file
  }
};

export function lessonsOf(files: string[]): string[] {
  const tags = new Set<string>();
  for (const file of files) {
    const topology = /^fixtures\/topologies\/([^/]+)\//.exec(file)?.[1];
    const lesson = /^fixtures\/lessons\/lesson-(\d+)\//.exec(file)?.[1];
    if (file.startsWith('features/') && file.endsWith('.feature')) lessonTagsOf(file).forEach((tag) => tags.add(tag));
    else if (topology)
      featuresOfTopologies([topology])
        .flatMap(lessonTagsOf)
        .forEach((tag) => tags.add(tag));
    else if (lesson) tags.add(`@lesson-${lesson}`);
    else if (/^(steps|support|fixtures)\//.test(file)) SMOKE.forEach((tag) => tags.add(tag));
  }
  return [...tags].sort();
}

if (process.argv[1]?.endsWith('changed-lessons.ts')) {
  const lessons = lessonsOf(changedFiles());
  if (lessons.length) console.log(lessons.join('\n')); // nothing at all when no lesson is touched
}
