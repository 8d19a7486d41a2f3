import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const OUTPUTS = new URL('../fixtures/outputs/', import.meta.url);
const README = readFileSync(new URL('README.md', OUTPUTS), 'utf8');

test('the captured outputs README has one section per heading', () => {
  const headings = README.split('\n').filter((line) => /^#{2,3} /.test(line));
  const repeated = headings.filter((heading, index) => headings.indexOf(heading) !== index);
  assert.deepEqual(repeated, [], 'merge the sections that share a heading');
});

test('the README says where every captured output comes from', () => {
  // File names as the README writes them: whole names, `{a,b}` alternatives, `prefix-*` families.
  const written = [...README.matchAll(/[\w.*{},-]+\.(?:txt|json|conflist)|[a-z0-9-]+-\*/g)].map((match) => match[0]);
  const expand = (name: string): string[] => {
    const braces = /\{([^}]*)\}/.exec(name);
    return braces ? (braces[1] ?? '').split(',').flatMap((alternative) => expand(name.replace(braces[0], alternative))) : [name];
  };
  const patterns = written.flatMap(expand).map((name) => new RegExp(`^${name.replaceAll('.', '\\.').replaceAll('*', '.*')}$`));
  const files = readdirSync(OUTPUTS).filter((file) => file !== 'README.md');
  assert.deepEqual(
    files.filter((file) => !patterns.some((pattern) => pattern.test(file))),
    [],
  );
});
