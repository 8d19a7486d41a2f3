/** The steps of a parsed feature file, with where each one is written. */
import type { runCucumber } from '@cucumber/cucumber/api';

type Envelope = Parameters<NonNullable<Parameters<typeof runCucumber>[2]>>[0];
type GherkinDocument = NonNullable<Envelope['gherkinDocument']>;
type FeatureChild = NonNullable<GherkinDocument['feature']>['children'][number];

export interface GherkinStep {
  id: string;
  uri: string;
  line: number;
  /** As written: "Given ", "And ", … */
  keyword: string;
}

export function gherkinSteps(document: GherkinDocument): GherkinStep[] {
  const uri = document.uri ?? '';
  const steps: GherkinStep[] = [];
  const visit = (children: readonly FeatureChild[]) => {
    for (const child of children) {
      for (const step of child.background?.steps ?? child.scenario?.steps ?? []) {
        steps.push({ id: step.id, uri, line: step.location.line, keyword: step.keyword });
      }
      if (child.rule) visit(child.rule.children as readonly FeatureChild[]);
    }
  };
  visit(document.feature?.children ?? []);
  return steps;
}
