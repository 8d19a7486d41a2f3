/** Which feature files run on which topology: the `@topology:<name>` tag above each `Feature:` line. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { topologyOfTags } from './catalogue.ts';

const ROOT = resolve(import.meta.dirname, '../..');
export const FEATURES_DIR = join(ROOT, 'features');

function featureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return featureFiles(path);
    return entry.name.endsWith('.feature') ? [path] : [];
  });
}

/** The feature files (relative to the project) whose scenarios run on one of `topologies`, sorted. */
export function featuresOfTopologies(topologies: readonly string[], dir = FEATURES_DIR): string[] {
  return featureFiles(dir)
    .filter((file) => topologies.includes(topologyOfTags(featureTags(readFileSync(file, 'utf8')))))
    .map((file) => relative(ROOT, file))
    .sort();
}

/** The tags written above a feature's `Feature:` line (where a topology is named). */
export function featureTags(text: string): string[] {
  const tags: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (/^Feature:/.test(trimmed)) return tags;
    if (trimmed.startsWith('@')) tags.push(...trimmed.split(/\s+/).filter((word) => word.startsWith('@')));
  }
  return tags;
}
