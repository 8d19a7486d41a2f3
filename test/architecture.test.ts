/**
 * The project's modules import one another without a circle: a module's imports (values and
 * types alike, `export … from` and `import()` with a literal path included, as TypeScript's own
 * pre-processor lists them) lead only to modules that do not import it back. A circle is where
 * a module's vocabulary ended up above its users (issue 20): the shared part goes down into a
 * module of its own, as lab/faults/fault.ts, diagnosis/runbook.ts or lab/workload-spec.ts did.
 *
 * The same holds one level up, for support/'s rooms (each folder, and each file directly in
 * support/): the floors import downwards only. A room that imports one above it, however few
 * its arrows, ties the floors into one knot (issue 20 found nine rooms in it): the parsers, which
 * the lab and the kind adapter read with, live in parse/, not under probes/.
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

/** The room of a module under support/: its folder there, or the file itself when it sits in support/. */
export function roomOf(supportDir: string, module: string): string {
  const [first, ...rest] = relative(supportDir, module).split('/');
  return rest.length > 0 ? (first as string) : (first as string).replace(/\.ts$/, '');
}

/** The rooms' graph: room → the other rooms its modules import, with the imports behind each arrow. */
export function roomGraph(
  supportDir: string,
  graph: Map<string, string[]>,
): { rooms: Map<string, string[]>; arrows: Map<string, string[]> } {
  const rooms = new Map<string, string[]>();
  const arrows = new Map<string, string[]>();
  for (const [module, targets] of graph) {
    const from = roomOf(supportDir, module);
    if (!rooms.has(from)) rooms.set(from, []);
    for (const target of targets) {
      const to = roomOf(supportDir, target);
      if (to === from) continue;
      if (!rooms.get(from)?.includes(to)) rooms.get(from)?.push(to);
      const key = `${from} → ${to}`;
      arrows.set(key, [...(arrows.get(key) ?? []), `${relative(supportDir, module)} → ${relative(supportDir, target)}`]);
    }
  }
  return { rooms, arrows };
}

test("support/'s rooms import one another without a circle: every arrow points down a floor", () => {
  const supportDir = join(ROOT, 'support');
  const { rooms, arrows } = roomGraph(supportDir, importGraph(sourceFiles(supportDir)));
  assert.ok(rooms.size > 20, `read ${rooms.size} rooms`);
  const knots = importCircles(rooms).map((knot) => {
    const inside = [...arrows].filter(
      ([key]) => knot.includes(key.split(' → ')[0] as string) && knot.includes(key.split(' → ')[1] as string),
    );
    return `${knot.join(', ')}: ${inside.map(([key, imports]) => `${key} (${imports.length}: ${imports.slice(0, 2).join('; ')})`).join(' | ')}`;
  });
  assert.deepEqual(knots, []);
});

test('a single arrow up a floor is a knot: found, with the import that makes it', () => {
  const supportDir = '/s';
  const graph = new Map([
    ['/s/claims/a.ts', ['/s/probes/b.ts']],
    ['/s/probes/b.ts', ['/s/lab/c.ts']],
    ['/s/lab/c.ts', ['/s/probes/parse.ts', '/s/domain.ts']],
    ['/s/probes/parse.ts', []],
    ['/s/domain.ts', []],
  ]);
  const { rooms, arrows } = roomGraph(supportDir, graph);
  assert.deepEqual(importCircles(rooms), [['lab', 'probes']]);
  assert.deepEqual(arrows.get('lab → probes'), ['lab/c.ts → probes/parse.ts']);
  graph.set('/s/lab/c.ts', ['/s/parse.ts', '/s/domain.ts']);
  graph.set('/s/parse.ts', []);
  assert.deepEqual(importCircles(roomGraph(supportDir, graph).rooms), []);
});

/**
 * The commands a claim or a step runs, found in its syntax: a call `<x>.exec(target, argv…)` or
 * `<x>.startBackground(…)` (the Cluster port's; RegExp's exec takes one argument), or a use of
 * the probes' command runners. Probes run commands; a claim judges what they saw and a step
 * names the action or the claim (issue 20); the When side's actions (`*-actions.ts`) may run
 * what they change.
 */
/** The modules that run commands: the probes' runners, and the exec layer below the port. */
const COMMAND_RUNNERS = ['probes/commands.ts', 'exec/run.ts', 'exec/spawner.ts'];

export function commandsRunIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if ((name === 'exec' && node.arguments.length >= 2) || name === 'startBackground')
        found.push(node.getText(source).split('\n')[0] as string);
    }
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      COMMAND_RUNNERS.some((runner) => (node.moduleSpecifier as ts.StringLiteral).text.endsWith(runner))
    ) {
      const names = node.importClause?.namedBindings;
      if (names && ts.isNamespaceImport(names)) found.push(`import * as ${names.name.text} from ${node.moduleSpecifier.text}`);
      // The imported name, not a local alias (`runProbe as look` still runs a command).
      const runners =
        names && ts.isNamedImports(names)
          ? names.elements.map((element) => (element.propertyName ?? element.name).text).filter((n) => /^run/.test(n))
          : [];
      if (runners.length) found.push(`import { ${runners.join(', ')} } from ${node.moduleSpecifier.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('finds a command a claim runs, and not a regular expression’s exec', () => {
  const text = [
    "import { runProbe, ProbeFailure } from '../probes/commands.ts';",
    'const a = /x/.exec(name);',
    "const b = await cluster.exec(nodeTarget(node), ['cat', '/kind/version']);",
    "const c = await this.cluster.startBackground(target, ['tcpdump'], options);",
    "import { runProbe as look } from '../probes/commands.ts';",
    "import * as commands from '../probes/commands.ts';",
    "import { runChecked } from '../exec/run.ts';",
  ].join('\n');
  assert.deepEqual(commandsRunIn('x.ts', text), [
    'import { runProbe } from ../probes/commands.ts',
    "cluster.exec(nodeTarget(node), ['cat', '/kind/version'])",
    "this.cluster.startBackground(target, ['tcpdump'], options)",
    'import { runProbe } from ../probes/commands.ts',
    'import * as commands from ../probes/commands.ts',
    'import { runChecked } from ../exec/run.ts',
  ]);
});

test('no step and no claim runs a command: probes do, and the actions that change something', () => {
  const files = [...sourceFiles(join(ROOT, 'steps')), ...sourceFiles(join(ROOT, 'support/claims'))].filter(
    (file) => !file.endsWith('-actions.ts'),
  );
  assert.ok(files.length > 40, `read ${files.length} files`);
  const running = files.flatMap((file) =>
    commandsRunIn(file, readFileSync(file, 'utf8')).map((call) => `${relative(ROOT, file)}: ${call}`),
  );
  assert.deepEqual(running, []);
});

/**
 * The Given and When steps whose body is more than one statement: a step names the action it
 * runs (support/claims/*-actions.ts) and keeps what it saw in one statement (issue 20).
 */
export function longWhens(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ['Given', 'When'].includes(node.expression.text)) {
      const body = node.arguments.at(-1);
      const statements =
        body && (ts.isFunctionExpression(body) || ts.isArrowFunction(body)) && ts.isBlock(body.body) ? body.body.statements : [];
      const only = statements.length === 1 ? statements[0] : undefined;
      if (statements.length > 1)
        found.push(`${node.expression.text}(${node.arguments[0]?.getText(source)}): ${statements.length} statements`);
      // One statement that holds others (a loop, a branch, a try) is several steps of doing, written as one.
      else if (only && !ts.isExpressionStatement(only) && !ts.isReturnStatement(only))
        found.push(`${node.expression.text}(${node.arguments[0]?.getText(source)}): a ${ts.SyntaxKind[only.kind]}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('finds a When of two statements, and not one of one', () => {
  const text = [
    "When('a {pod} pings', async function (pod) { const seen = await ping(pod); this.saw('ping', seen); });",
    "Given('a pool', function () { return turnOff(this.cluster); });",
    "When('pods', async function () { for (const n of [1, 2]) await create(n); });",
  ].join('\n');
  assert.deepEqual(longWhens('x.ts', text), ["When('a {pod} pings'): 2 statements", "When('pods'): a ForOfStatement"]);
});

test('every Given and When is one statement over an action', () => {
  const files = sourceFiles(join(ROOT, 'steps'));
  assert.ok(files.length > 15, `read ${files.length} step files`);
  const long = files.flatMap((file) => longWhens(file, readFileSync(file, 'utf8')).map((step) => `${relative(ROOT, file)}: ${step}`));
  assert.deepEqual(long, []);
});
