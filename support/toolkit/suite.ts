/**
 * The suite as cucumber itself sees it: the support code loaded through its JS API (profile
 * `dry`), and a dry run that records which step definition every feature step matched.
 * Cucumber's public types hide the library's contents, so the few fields read here are
 * described by narrow views below.
 */
import { Writable } from 'node:stream';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import { gherkinSteps, type GherkinStep } from './gherkin.ts';

type Envelope = Parameters<NonNullable<Parameters<typeof runCucumber>[2]>>[0];

export interface AstNode {
  readonly type: string;
  readonly nodes?: readonly AstNode[];
  text(): string;
}

interface LoadedStepDefinition {
  id: string;
  keyword: string;
  pattern: string | RegExp;
  uri: string;
  line: number;
  unwrappedCode?: (...args: unknown[]) => unknown;
  code: (...args: unknown[]) => unknown;
  expression: { source: string; ast?: AstNode; match(text: string): readonly unknown[] | null };
}

interface LoadedParameterType {
  name?: string;
  regexpStrings: readonly string[];
  builtin?: boolean;
}

interface LoadedLibrary {
  stepDefinitions: LoadedStepDefinition[];
  parameterTypeRegistry: {
    parameterTypes: Iterable<LoadedParameterType>;
    lookupSource(type: LoadedParameterType): { uri: string; line: number } | undefined;
  };
}

export interface StepDefinitionView {
  id: string;
  /** Given, When or Then; "Unknown" for defineStep. */
  keyword: string;
  /** The cucumber expression, or a regular expression's source. */
  source: string;
  isRegExp: boolean;
  uri: string;
  line: number;
  /** The expression's syntax tree (cucumber expressions only). */
  ast: AstNode | undefined;
  /** Declared arguments of the step function (a data table or doc string comes last). */
  arity: number;
  /** The names of those arguments, where its source shows them plainly. */
  argumentNames: string[];
  matches(text: string): boolean;
}

export interface ParameterTypeView {
  name: string;
  regexps: readonly string[];
  builtin: boolean;
  source: { uri: string; line: number } | undefined;
}

export interface StepArgument {
  parameterType: string;
  value: string;
}

/** One feature step matched by exactly one step definition. */
export interface StepUse {
  definitionId: string;
  step: GherkinStep;
  /** The step text after Scenario Outline substitution. */
  text: string;
  arguments: StepArgument[];
  dataTable: string[][] | undefined;
  docString: string | undefined;
}

/** A feature step that no definition, or more than one, matches. */
export interface StepProblem {
  kind: 'undefined' | 'ambiguous';
  step: GherkinStep;
  text: string;
  definitionIds: string[];
}

export interface Suite {
  definitions: StepDefinitionView[];
  parameterTypes: ParameterTypeView[];
  uses: StepUse[];
  problems: StepProblem[];
}

export interface LoadSuiteOptions {
  /** The project root: where cucumber.json is. */
  cwd: string;
  /** Feature files to match instead of the profile's. */
  paths?: string[] | undefined;
  /**
   * A library already loaded with loadSupport. Support code loads once per process (ES modules
   * are cached), so a caller that loaded it must hand it over.
   */
  library?: unknown;
}

export async function loadSuite({ cwd, paths, library: loaded }: LoadSuiteOptions): Promise<Suite> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const environment = { cwd, stdout: silent, stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ profiles: ['dry'] }, environment);
  const library = (loaded ?? (await loadSupport(runConfiguration, environment))) as LoadedLibrary;

  const envelopes: Envelope[] = [];
  const sources = paths ? { ...runConfiguration.sources, paths } : runConfiguration.sources;
  await runCucumber(
    { ...runConfiguration, sources, runtime: { ...runConfiguration.runtime, dryRun: true }, support: library as never },
    environment,
    (envelope) => envelopes.push(envelope),
  );
  return {
    definitions: library.stepDefinitions.map(viewOfDefinition),
    parameterTypes: [...library.parameterTypeRegistry.parameterTypes].map((type) => ({
      name: type.name ?? '',
      regexps: type.regexpStrings,
      builtin: type.builtin === true,
      source: type.builtin ? undefined : library.parameterTypeRegistry.lookupSource(type),
    })),
    ...matchesOf(envelopes),
  };
}

function viewOfDefinition(definition: LoadedStepDefinition): StepDefinitionView {
  const isRegExp = definition.pattern instanceof RegExp;
  const code = definition.unwrappedCode ?? definition.code;
  return {
    id: definition.id,
    keyword: definition.keyword,
    source: isRegExp ? (definition.pattern as RegExp).source : String(definition.pattern),
    isRegExp,
    uri: definition.uri,
    line: definition.line,
    ast: isRegExp ? undefined : definition.expression.ast,
    arity: code.length,
    argumentNames: argumentNamesOf(code),
    matches: (text) => definition.expression.match(text) !== null,
  };
}

/** `async function (alias, count) {…}` → alias, count; empty when the list is not plain names. */
function argumentNamesOf(code: (...args: unknown[]) => unknown): string[] {
  const list = /^[^(]*\(([^)]*)\)/.exec(code.toString())?.[1] ?? '';
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name)) ? names : [];
}

/** Joins the dry run's test cases to the pickles and Gherkin steps they came from. */
function matchesOf(envelopes: Envelope[]): Pick<Suite, 'uses' | 'problems'> {
  const astSteps = new Map<string, GherkinStep>();
  const pickleSteps = new Map<string, { text: string; astNodeId: string; argument: PickleArgument | undefined }>();
  for (const envelope of envelopes) {
    if (envelope.gherkinDocument) for (const step of gherkinSteps(envelope.gherkinDocument)) astSteps.set(step.id, step);
    for (const step of envelope.pickle?.steps ?? []) {
      pickleSteps.set(step.id, { text: step.text, astNodeId: step.astNodeIds[0] ?? '', argument: step.argument });
    }
  }
  const uses: StepUse[] = [];
  const problems: StepProblem[] = [];
  const seen = new Set<string>();
  for (const envelope of envelopes) {
    for (const testStep of envelope.testCase?.testSteps ?? []) {
      const pickleStep = testStep.pickleStepId ? pickleSteps.get(testStep.pickleStepId) : undefined;
      const step = pickleStep && astSteps.get(pickleStep.astNodeId);
      if (!pickleStep || !step) continue;
      // A Background step repeats in every scenario of its feature: keep it once per text.
      const key = `${step.uri}:${step.line}:${pickleStep.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const definitionIds = testStep.stepDefinitionIds ?? [];
      const [definitionId] = definitionIds;
      if (definitionIds.length !== 1 || definitionId === undefined) {
        problems.push({
          kind: definitionIds.length === 0 ? 'undefined' : 'ambiguous',
          step,
          text: pickleStep.text,
          definitionIds: [...definitionIds],
        });
        continue;
      }
      uses.push({
        definitionId,
        step,
        text: pickleStep.text,
        arguments: (testStep.stepMatchArgumentsLists?.[0]?.stepMatchArguments ?? []).map((argument) => ({
          parameterType: argument.parameterTypeName ?? '',
          value: argument.group.value ?? '',
        })),
        dataTable: pickleStep.argument?.dataTable?.rows.map((row) => row.cells.map((cell) => cell.value)),
        docString: pickleStep.argument?.docString?.content,
      });
    }
  }
  return { uses, problems };
}

type PickleArgument = NonNullable<NonNullable<Envelope['pickle']>['steps'][number]['argument']>;
