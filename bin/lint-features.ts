/**
 * npm run lint:features [-- paths…] [--claims <file>] — the features against the project's
 * conventions (.gplintrc), and every step against the step definitions.
 * Exit codes: 0 no finding, 1 findings (printed as file:line:column), 2 the lint could not run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../support/cli/main.ts';
import { formatFinding } from '../support/toolkit/lint/findings.ts';
import { lintFeatures } from '../support/toolkit/lint/run.ts';

const ROOT = resolve(import.meta.dirname, '..');
const USAGE = `usage: npm run lint:features [-- <feature file or folder>…] [--claims <catalogue.md>]
  default: every feature under features/, claim IDs from features/CLAIMS.md`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { claims: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Paths are the caller's, not the project root's: npm runs scripts from the root.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const { files, findings } = await lintFeatures({
    root: ROOT,
    paths: positionals.map((path) => resolve(cwd, path)),
    claimsFile: values.claims && resolve(cwd, values.claims),
  });
  for (const finding of findings) console.log(formatFinding(finding));
  const where = `${files} feature file${files === 1 ? '' : 's'}`;
  if (findings.length === 0) {
    console.log(`lint:features: ${where}, no problems`);
    return 0;
  }
  console.log(`\nlint:features: ${findings.length} problem${findings.length === 1 ? '' : 's'} in ${where}`);
  return 1;
}

// A lint that cannot run (gplint missing, a feature that cannot be read) is an environment fault: 2, like bad usage.
runCli(() => main(process.argv.slice(2)), { usage: USAGE, name: 'lint:features', usageErrors: [Error] });
