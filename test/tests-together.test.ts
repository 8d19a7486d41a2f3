/**
 * The tests that build no lab share two processes (scripts/tests-together.ts). A file that
 * changes what the whole process sees — it sets an environment variable as it loads, or it
 * loads the suite's support code, which ES modules load once per process — must say
 * `// own process: <why>`, or it would change the files that run after it, or find the support
 * code already loaded and its steps missing.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
  );
}

/**
 * The words by which scripts/test.sh tells a file that builds a lab or runs the whole suite
 * (those run a process each anyway), spelt so that this file does not hold them itself: the
 * script greps for them, and would take this file for one of those.
 */
const LAB_OR_WHOLE_SUITE = /is[R]oot|whole[S]uiteSkip|needs [r]oot/;

/** What makes a file change the process it runs in, found in its text. */
const PROCESS_WIDE: [RegExp, string][] = [
  [/^process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/m, 'sets an environment variable as it loads'],
  [/^Object\.assign\(process\.env/m, 'sets environment variables as it loads'],
  [/\bloadSupport\(|\bloadSuite\(/, "loads the suite's support code"],
];

test('every test file that changes what its whole process sees runs in a process of its own', () => {
  const unmarked = testFiles(join(ROOT, 'test'))
    .filter((path) => path !== import.meta.filename) // its own examples below
    .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
    .filter(({ text }) => !LAB_OR_WHOLE_SUITE.test(text) && !/^\/\/ own process: \S/m.test(text))
    .flatMap(({ path, text }) => PROCESS_WIDE.filter(([pattern]) => pattern.test(text)).map(([, why]) => `${path} ${why}`));
  assert.deepEqual(unmarked, [], 'add a line `// own process: <why>` to each (scripts/tests-together.ts)');
});

test('the check sees what it is written to see', () => {
  const [setsEnv, assigns, loads] = PROCESS_WIDE.map(([pattern]) => pattern);
  assert.ok(setsEnv?.test('const dir = x;\nprocess.env.PODNET_STATE_DIR = dir;\n'));
  assert.ok(!setsEnv?.test('  process.env.E2E_ROUTER = saved;\n'), 'inside a test, restored by it');
  assert.ok(!setsEnv?.test('if (process.env.X === "1") {}\n'));
  assert.ok(assigns?.test('Object.assign(process.env, { A: "1" });\n'));
  assert.ok(loads?.test('const catalogue = buildCatalogue(await loadSuite({ cwd: dir }));'));
});
