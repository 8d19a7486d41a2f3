/**
 * The step catalogue: every step definition, grouped by its file (its subject), with its
 * parameters, where it is defined, and an example — the first use in the features, or one
 * synthesized from its parameter types when no feature uses it yet.
 */
import { basename } from 'node:path';
import { describeParameterType, sampleValue, type ParameterWords } from './parameter-words.ts';
import type { AstNode, ParameterTypeView, StepDefinitionView, StepUse, Suite } from './suite.ts';

export interface Place {
  uri: string;
  line: number;
}

export interface CatalogueExample {
  text: string;
  dataTable: string[][] | undefined;
  docString: string | undefined;
  /** Where a feature uses the step; undefined for a synthesized example. */
  usedAt: Place | undefined;
}

export interface CatalogueEntry {
  subject: string;
  keyword: string;
  /** The cucumber expression (or /regular expression/) as the step definition has it. */
  sentence: string;
  definedAt: Place;
  parameters: { type: string; words: ParameterWords }[];
  /** The step function takes a data table or doc string after its parameters. */
  takesArgument: boolean;
  /** Undefined only when no example could be made (a regular-expression step no feature uses). */
  example: CatalogueExample | undefined;
  useCount: number;
}

export interface CatalogueParameterType {
  name: string;
  builtin: boolean;
  words: ParameterWords;
  definedAt: Place | undefined;
  /** Values the features give it, in order of first use. */
  usedValues: string[];
}

export interface Catalogue {
  subjects: { name: string; uri: string; entries: CatalogueEntry[] }[];
  parameterTypes: CatalogueParameterType[];
}

export function buildCatalogue(suite: Suite): Catalogue {
  const usedValues = valuesByParameterType(suite.uses);
  const types = new Map(suite.parameterTypes.map((type) => [type.name, type]));
  const entries = [...suite.definitions]
    .sort((a, b) => compareText(a.uri, b.uri) || a.line - b.line)
    .map((definition) => entryFor(definition, usesOf(suite.uses, definition.id), types, usedValues));

  const subjects = new Map<string, { name: string; uri: string; entries: CatalogueEntry[] }>();
  for (const entry of entries) {
    const subject = subjects.get(entry.definedAt.uri) ?? { name: entry.subject, uri: entry.definedAt.uri, entries: [] };
    subject.entries.push(entry);
    subjects.set(entry.definedAt.uri, subject);
  }

  const referenced = new Set(entries.flatMap((entry) => entry.parameters.map((parameter) => parameter.type)));
  const parameterTypes = suite.parameterTypes
    .filter((type) => !type.builtin || referenced.has(type.name))
    .sort((a, b) => Number(a.builtin) - Number(b.builtin) || compareText(a.name, b.name))
    .map((type) => ({
      name: type.name,
      builtin: type.builtin,
      words: describeParameterType(type),
      definedAt: type.source,
      usedValues: usedValues.get(type.name) ?? [],
    }));
  return { subjects: [...subjects.values()], parameterTypes };
}

/** Code-point order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function subjectOf(uri: string): string {
  return basename(uri).replace(/(\.steps)?\.[cm]?[jt]s$/, '');
}

function usesOf(uses: StepUse[], definitionId: string): StepUse[] {
  return uses
    .filter((use) => use.definitionId === definitionId)
    .sort((a, b) => compareText(a.step.uri, b.step.uri) || a.step.line - b.step.line);
}

function entryFor(
  definition: StepDefinitionView,
  uses: StepUse[],
  types: Map<string, ParameterTypeView>,
  usedValues: Map<string, string[]>,
): CatalogueEntry {
  const parameterNames = definition.ast ? parametersOf(definition.ast) : [];
  const keyword = definition.keyword === 'Unknown' ? 'Given' : definition.keyword;
  const first = uses[0];
  const example = first
    ? { text: first.text, dataTable: first.dataTable, docString: first.docString, usedAt: { uri: first.step.uri, line: first.step.line } }
    : synthesize(definition, types, usedValues);
  return {
    subject: subjectOf(definition.uri),
    keyword,
    sentence: definition.isRegExp ? `/${definition.source}/` : definition.source,
    definedAt: { uri: definition.uri, line: definition.line },
    parameters: parameterNames.map((name) => {
      const type = types.get(name);
      return {
        type: name,
        words: type ? describeParameterType(type) : { phrases: undefined, pattern: undefined, description: 'an undefined parameter type' },
      };
    }),
    takesArgument: definition.ast !== undefined && definition.arity > parameterNames.length,
    example,
    useCount: uses.length,
  };
}

function parametersOf(node: AstNode): string[] {
  if (node.type === 'PARAMETER_NODE') return [node.text()];
  return (node.nodes ?? []).flatMap(parametersOf);
}

/** Writes the expression out: optional text kept, first alternative taken, parameters sampled. */
function synthesize(
  definition: StepDefinitionView,
  types: Map<string, ParameterTypeView>,
  usedValues: Map<string, string[]>,
): CatalogueExample | undefined {
  if (!definition.ast) return undefined;
  let position = 0;
  const write = (node: AstNode): string | undefined => {
    switch (node.type) {
      case 'TEXT_NODE':
        return node.text();
      case 'PARAMETER_NODE': {
        const type = types.get(node.text());
        const name = definition.argumentNames[position++];
        // A quoted string reads best as the name the step gives it: "alias", "mac".
        if (type?.name === 'string' && name) return `"${name}"`;
        return type && sampleValue(type, usedValues.get(type.name) ?? []);
      }
      case 'ALTERNATION_NODE':
        return node.nodes?.[0] ? write(node.nodes[0]) : '';
      default: {
        const parts = (node.nodes ?? []).map(write);
        return parts.includes(undefined) ? undefined : parts.join('');
      }
    }
  };
  const text = write(definition.ast);
  if (text === undefined || !definition.matches(text)) return undefined;
  const takesArgument = definition.arity > parametersOf(definition.ast).length;
  return { text, dataTable: takesArgument ? [['…']] : undefined, docString: undefined, usedAt: undefined };
}

function valuesByParameterType(uses: StepUse[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const use of [...uses].sort((a, b) => compareText(a.step.uri, b.step.uri) || a.step.line - b.step.line)) {
    for (const argument of use.arguments) {
      const list = values.get(argument.parameterType) ?? [];
      if (!list.includes(argument.value)) list.push(argument.value);
      values.set(argument.parameterType, list);
    }
  }
  return values;
}
