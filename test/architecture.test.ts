/**
 * The project's modules import one another without a circle: a module's imports (values and
 * types alike, `export … from` and `import()` with a literal path included, as TypeScript's own
 * pre-processor lists them) lead only to modules that do not import it back. A circle is where
 * a module's vocabulary ended up above its users (issue 20): the shared part goes down into a
 * module of its own, as lab/faults/fault.ts, diagnosis/runbook.ts or lab/workload-spec.ts did.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const FOLDERS = ['bin', 'bench', 'scripts', 'steps', 'support', 'test'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each project module → the project modules it imports (relative specifiers only: packages are not ours). */
export function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map(({ fileName }) => fileName)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolve(dirname(file), specifier))
        .filter((target) => known.has(target));
      return [file, [...new Set(targets)]];
    }),
  );
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function importCircles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (module: string): void => {
    index.set(module, next);
    low.set(module, next);
    next += 1;
    stack.push(module);
    onStack.add(module);
    for (const target of graph.get(module) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(module, Math.min(low.get(module) as number, low.get(target) as number));
      } else if (onStack.has(target)) low.set(module, Math.min(low.get(module) as number, index.get(target) as number));
    }
    if (low.get(module) !== index.get(module)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
      if (member === module) break;
    }
    if (component.length > 1 || graph.get(module)?.includes(module)) circles.push(component.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return circles;
}

test('finds a circle of two and one through three modules, and none in a tree', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['a', 'c']],
    ['c', ['d']],
    ['d', ['e']],
    ['e', ['c']],
    ['f', ['a', 'c']],
  ]);
  assert.deepEqual(importCircles(graph), [
    ['c', 'd', 'e'],
    ['a', 'b'],
  ]);
  assert.deepEqual(
    importCircles(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  );
});

test('no module of the project imports, through others, a module that imports it', () => {
  const files = FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  const graph = importGraph(files);
  assert.ok(graph.size > 300, `read ${graph.size} modules`);
  assert.ok((graph.get(join(ROOT, 'support/lab/lab.ts'))?.length ?? 0) > 10, 'the imports are read');
  const circles = importCircles(graph).map((circle) => circle.map((module) => relative(ROOT, module)).join(' ⇄ '));
  assert.deepEqual(circles, []);
});
