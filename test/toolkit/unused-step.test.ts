/**
 * A step that no feature uses still gets an example, synthesized from its parameter types and
 * matched by its own definition. The suite's support code is loaded with one extra step file.
 */
// own process: it loads the suite's support code with one more step file, which ES modules load once per process (scripts/tests-together.ts)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildCatalogue } from '../../support/toolkit/catalogue.ts';
import { renderCatalogue } from '../../support/toolkit/markdown.ts';
import { loadSuite } from '../../support/toolkit/suite.ts';
import { ROOT } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'podnet-unused-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an unused step gets a synthesized example that its definition matches', async () => {
  // The same cucumber module as the loader's, so the step registers with it.
  const cucumber = import.meta.resolve('@cucumber/cucumber');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, 'extra.steps.ts'),
    `import { Then } from '${cucumber}';\n` +
      `Then('{string} sits on {placement} beside {int} {workload} pod(s)', function (neighbour: string, placement: unknown, count: number, workload: string) {});\n`,
  );
  writeFileSync(
    join(dir, 'cucumber.mjs'),
    `export default {};\nexport const dry = ${JSON.stringify({
      paths: [join(ROOT, 'features/**/*.feature')],
      // The support code cucumber.json loads (support/ also holds programs the lab runs, such as its DNS server).
      import: [
        ...(JSON.parse(readFileSync(join(ROOT, 'cucumber.json'), 'utf8')).default.import as string[]).map((glob) => join(ROOT, glob)),
        join(dir, 'extra.steps.ts'),
      ],
      dryRun: true,
    })};\n`,
  );
  const catalogue = buildCatalogue(await loadSuite({ cwd: dir }));
  const extra = catalogue.subjects.find((subject) => subject.name === 'extra')?.entries[0];
  assert.ok(extra, 'the extra step is in the catalogue');
  assert.equal(extra.useCount, 0);
  assert.equal(extra.example?.usedAt, undefined);
  // The {workload} word is the first workload the fixtures name (which grows with the lessons).
  assert.match(extra.example?.text ?? '', /^"neighbour" sits on a worker node beside 2 [a-z0-9-]+ pods$/);
  assert.match(
    renderCatalogue(catalogue),
    /Not used by any feature yet\. Synthesized example:\n\n```gherkin\nThen "neighbour" sits on a worker node beside 2 [a-z0-9-]+ pods\n```/,
  );
});
