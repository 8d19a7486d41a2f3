/**
 * Runs the test files it is given in this one process, each file's tests under a suite named
 * after the file, with Node's test runner reporting as it does for `--test`.
 *
 * Why: a test file in a process of its own pays Node's start, tsx and every module it shares
 * with the others again — about 0.7 CPU-s for an empty file, 1.2 s more for one that loads the
 * Kubernetes client. Measured here, the unit tier's 102 files took 227 CPU-s one process each,
 * and 88 CPU-s together. (Node 22.8 has --experimental-test-isolation=none for this; Node 20,
 * which the suite supports, does not.)
 *
 * A file that needs a process of its own says so with a line `// own process: <why>` (it loads
 * the suite's support code, which ES modules load once per process, or it sets the process's
 * environment), and scripts/test.sh runs it alone.
 *
 * Usage: node --import tsx --test-reporter=tap scripts/tests-together.ts <test files…>
 */
import { describe } from 'node:test';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node --import tsx scripts/tests-together.ts <test files…>');
  process.exit(2);
}
// Node starts running the first suite as soon as it is built, while later files may still be
// loading; loading a module holds the event loop, so a test's timers would wait behind other
// files' imports (an eventually test once took 5 s instead of 30 ms). So no suite finishes
// building before every file is imported.
let imported = 0;
let everyFileImported!: () => void;
const allImported = new Promise<void>((resolveAll) => (everyFileImported = resolveAll));
for (const file of files) {
  // The file's test() and describe() calls, made while it is imported, register under this suite.
  describe(file, async () => {
    try {
      await import(pathToFileURL(resolve(file)).href);
    } finally {
      imported += 1;
      if (imported === files.length) everyFileImported();
    }
    await allImported;
  });
}
