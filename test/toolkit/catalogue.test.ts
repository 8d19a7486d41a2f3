/**
 * The catalogue against cucumber's own support library: one entry per step definition, each
 * with its place, its parameters and an example that the definition matches.
 */
// own process: it loads the suite's support code, which ES modules load once per process (scripts/tests-together.ts)
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadConfiguration, loadSupport } from '@cucumber/cucumber/api';
import { buildCatalogue, type Catalogue } from '../../support/toolkit/catalogue.ts';
import { renderCatalogue } from '../../support/toolkit/markdown.ts';
import { loadSuite, type Suite } from '../../support/toolkit/suite.ts';
import { ROOT } from './helpers.ts';

interface Definition {
  uri: string;
  line: number;
  pattern: string | RegExp;
  expression: { match(text: string): unknown[] | null };
}

let definitions: Definition[];
let suite: Suite;
let catalogue: Catalogue;

before(async () => {
  const { runConfiguration } = await loadConfiguration({ profiles: ['dry'] }, { cwd: ROOT });
  const library = await loadSupport(runConfiguration, { cwd: ROOT });
  definitions = (library as unknown as { stepDefinitions: Definition[] }).stepDefinitions;
  suite = await loadSuite({ cwd: ROOT, library });
  catalogue = buildCatalogue(suite);
});

const entries = () => catalogue.subjects.flatMap((subject) => subject.entries);

test('the catalogue lists every step definition of the support library, once', () => {
  assert.ok(definitions.length > 0);
  assert.equal(entries().length, definitions.length);
  const places = new Set(entries().map((entry) => `${entry.definedAt.uri}:${entry.definedAt.line}`));
  for (const definition of definitions)
    assert.ok(places.has(`${definition.uri}:${definition.line}`), `${definition.uri}:${definition.line} is missing`);
  assert.equal(renderCatalogue(catalogue).match(/^### /gm)?.length, definitions.length);
});

test('steps are grouped by the file that defines them', () => {
  for (const subject of catalogue.subjects) {
    assert.ok(subject.entries.every((entry) => entry.definedAt.uri === subject.uri));
    assert.equal(subject.name, subject.uri.replace(/^.*\//, '').replace('.steps.ts', ''));
  }
});

test('every step has an example that its own definition matches', () => {
  for (const entry of entries()) {
    const definition = definitions.find((candidate) => candidate.uri === entry.definedAt.uri && candidate.line === entry.definedAt.line);
    assert.ok(entry.example, `${entry.sentence} has no example`);
    assert.ok(definition?.expression.match(entry.example.text), `"${entry.example.text}" does not match ${entry.sentence}`);
  }
});

test('a used step takes its example from the first feature that uses it', () => {
  const readiness = entries().find((entry) => entry.sentence === 'every node is Ready');
  assert.deepEqual(readiness?.example?.usedAt, { uri: 'features/02-pod-network/cluster.feature', line: 9 });
  const table = entries().find((entry) => entry.sentence === 'the routing table of {pod} is exactly:');
  assert.equal(table?.takesArgument, true);
  assert.deepEqual(table?.example?.dataTable?.[0], ['default via 169.254.1.1 dev eth0']);
});

test('parameter types say which words they accept', () => {
  const placement = catalogue.parameterTypes.find((type) => type.name === 'placement');
  assert.deepEqual(placement?.words.phrases, [
    'a worker node',
    'another worker node',
    'the control-plane node',
    'any node',
    'the node of "…"',
    'a worker node in another subnet',
    'another worker node in the same subnet',
  ]);
  assert.equal(placement?.definedAt?.uri, 'support/parameter-types.ts');
  const workload = catalogue.parameterTypes.find((type) => type.name === 'workload');
  assert.equal(workload?.words.phrases, undefined);
  assert.ok(workload?.usedValues.includes('multitool-1'));
  const entry = entries().find((candidate) => candidate.sentence === 'a {workload} pod on {placement}, called {string}');
  assert.deepEqual(
    entry?.parameters.map((parameter) => parameter.type),
    ['workload', 'placement', 'string'],
  );
});
