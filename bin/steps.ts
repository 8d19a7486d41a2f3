/**
 * npm run steps [-- --check] [--file <path>] — the step catalogue, generated from the step
 * definitions: printed, and written to docs/steps.md (or --file). With --check, writes nothing
 * and exits 1 if the file differs from what would be generated.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../support/cli/main.ts';
import { buildCatalogue } from '../support/toolkit/catalogue.ts';
import { CATALOGUE_FILE, renderCatalogue } from '../support/toolkit/markdown.ts';
import { loadSuite } from '../support/toolkit/suite.ts';

const ROOT = resolve(import.meta.dirname, '..');
const USAGE = `usage: npm run steps [-- --check] [--file <path>]
  --check          write nothing; exit 1 if docs/steps.md is not what would be generated
  --file <path>    write the catalogue there instead of docs/steps.md`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { check: { type: 'boolean', default: false }, file: { type: 'string' } },
    strict: true,
  });
  const markdown = renderCatalogue(buildCatalogue(await loadSuite({ cwd: ROOT })));
  const file = values.file ? resolve(process.env.INIT_CWD ?? process.cwd(), values.file) : join(ROOT, CATALOGUE_FILE);
  const shown = values.file ?? CATALOGUE_FILE;
  if (values.check) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === markdown) {
      console.log(`${shown} is up to date`);
      return 0;
    }
    console.error(current === undefined ? `${shown} is missing` : `${shown} is out of date: ${firstDifference(current, markdown)}`);
    console.error('run `npm run steps` to regenerate it, and commit the result');
    return 1;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  process.stdout.write(markdown);
  console.error(`\nwritten to ${shown}`);
  return 0;
}

function firstDifference(current: string, expected: string): string {
  const have = current.split('\n');
  const want = expected.split('\n');
  const line = want.findIndex((text, i) => have[i] !== text);
  const at = line === -1 ? want.length : line;
  return `first difference at line ${at + 1}: expected ${JSON.stringify(want[at] ?? '(end of file)')}, found ${JSON.stringify(have[at] ?? '(end of file)')}`;
}

runCli(() => main(process.argv.slice(2)), { usage: USAGE, name: 'steps' });
