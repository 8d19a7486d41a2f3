/** What the feature lint reports: one finding per problem, printed as file:line:column. */
import type { StepDefinitionView, StepProblem } from '../suite.ts';

export interface Finding {
  uri: string;
  line: number;
  column: number;
  message: string;
  rule: string;
}

export function formatFinding({ uri, line, column, message, rule }: Finding): string {
  return `${uri}:${line}:${column}  ${message}  (${rule})`;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.line - b.line || a.column - b.column));
}

/** The dry run's undefined and ambiguous steps, with the nearest step sentence as a hint. */
export function stepFindings(problems: StepProblem[], definitions: StepDefinitionView[]): Finding[] {
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  return problems.map((problem) => {
    const written = `${problem.step.keyword.trim()} ${problem.text}`;
    const message =
      problem.kind === 'undefined'
        ? `undefined step "${written}"${hint(problem.text, definitions)}`
        : `ambiguous step "${written}": it matches ${problem.definitionIds.map((id) => place(byId.get(id))).join(' and ')}`;
    return { uri: problem.step.uri, line: problem.step.line, column: 5, message, rule: `${problem.kind}-step` };
  });
}

function place(definition: StepDefinitionView | undefined): string {
  return definition ? `${definition.uri}:${definition.line}` : 'an unknown definition';
}

/** Words shared with a step sentence, over the words of both: enough to catch a rephrasing. */
function hint(text: string, definitions: StepDefinitionView[]): string {
  const words = wordsOf(text);
  let best: { score: number; sentence: string } | undefined;
  for (const definition of definitions) {
    const sentence = wordsOf(definition.source.replace(/\{[^}]*\}/g, ' '));
    const shared = [...words].filter((word) => sentence.has(word)).length;
    const score = shared / new Set([...words, ...sentence]).size;
    if (score > (best?.score ?? 0.4)) best = { score, sentence: `${definition.keyword} ${definition.source}` };
  }
  return best
    ? `; nearest step: "${best.sentence}" (docs/steps.md lists them all)`
    : '; no step sentence comes close (docs/steps.md lists them all)';
}

function wordsOf(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .replace(/"[^"]*"/g, ' ')
      .split(/[^a-z0-9'-]+/)
      .filter((word) => word.length > 1),
  );
}
