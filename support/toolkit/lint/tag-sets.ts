/**
 * The tags each scenario runs with, as cucumber gives them to its pickles: its Feature's, its
 * Rule's, its own, and for a Scenario Outline those of each Examples block.
 */
import type { GherkinData } from 'gplint';

type Feature = NonNullable<GherkinData['feature']>;
type Child = Feature['children'][number];

export interface ScenarioTags {
  name: string;
  /** Where to report: the scenario, or the Examples block that adds tags. */
  line: number;
  column: number;
  tags: string[];
}

export function scenarioTagSets(feature: Feature | undefined): ScenarioTags[] {
  if (!feature) return [];
  const sets: ScenarioTags[] = [];
  const visit = (children: readonly Child[], inherited: string[]) => {
    for (const child of children) {
      if (child.rule) visit(child.rule.children as readonly Child[], [...inherited, ...names(child.rule.tags)]);
      const scenario = child.scenario;
      if (!scenario) continue;
      const own = [...inherited, ...names(scenario.tags)];
      const blocks = scenario.examples.filter((examples) => examples.tags.length > 0);
      const at = (tags: string[], location = scenario.location) => ({
        name: scenario.name,
        line: location.line,
        column: location.column ?? 0,
        tags,
      });
      if (blocks.length === 0) sets.push(at(own));
      for (const examples of blocks) sets.push(at([...own, ...names(examples.tags)], examples.location));
      if (blocks.length > 0 && blocks.length < scenario.examples.length) sets.push(at(own));
    }
  };
  visit(feature.children, names(feature.tags));
  return sets;
}

function names(tags: readonly { name: string }[]): string[] {
  return tags.map((tag) => tag.name);
}
