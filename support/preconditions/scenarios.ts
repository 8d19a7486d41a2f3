/**
 * Which claims a configuration runs: every scenario of features/, with its tags as cucumber
 * gives them (Feature's, Rule's, its own, Examples'), judged against facts. `cluster:up
 * --dry-run` prints it for the cluster it would build; the run skips the same scenarios.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { unmet, type ClusterFacts } from './preconditions.ts';

export interface ScenarioTags {
  uri: string;
  name: string;
  tags: string[];
  claims: string[];
}

async function featureFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return featureFiles(path);
      return Promise.resolve(entry.name.endsWith('.feature') ? [path] : []);
    }),
  );
  return nested.flat().sort();
}

export async function scenariosOf(featuresDir: string): Promise<ScenarioTags[]> {
  const newId = IdGenerator.uuid();
  const scenarios: ScenarioTags[] = [];
  for (const file of await featureFiles(featuresDir)) {
    const uri = relative(process.cwd(), file);
    const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(await readFile(file, 'utf8'));
    for (const pickle of compile({ ...document, uri }, uri, newId)) {
      const tags = pickle.tags.map((tag) => tag.name);
      scenarios.push({
        uri,
        name: pickle.name,
        tags,
        claims: tags.filter((tag) => tag.startsWith('@claim:')).map((tag) => tag.slice('@claim:'.length)),
      });
    }
  }
  return scenarios;
}

export interface ClaimPlan {
  runs: string[];
  /** Claim → why it is skipped (a claim with several scenarios is skipped when all of them are). */
  skipped: Map<string, string>;
}

/** Claims that run and claims skipped for unmet preconditions, under these facts. */
export function claimPlan(scenarios: ScenarioTags[], facts: ClusterFacts): ClaimPlan {
  const runs = new Set<string>();
  const skipped = new Map<string, string>();
  for (const scenario of scenarios) {
    const miss = unmet(scenario.tags, facts);
    for (const claim of scenario.claims) {
      if (miss) {
        if (!runs.has(claim)) skipped.set(claim, `requires ${miss.precondition.name}: ${miss.because}`);
      } else {
        runs.add(claim);
        skipped.delete(claim);
      }
    }
  }
  const byId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  return { runs: [...runs].sort(byId), skipped: new Map([...skipped].sort(([a], [b]) => byId(a, b))) };
}
