/**
 * docs/authoring.md's worked example, taken out of the page: its claim row and feature pass the
 * lint with no new code, run green on the embedded lab, and fail as the page says under the
 * fault it names. So the guide cannot drift from the suite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLAIMS_FILE } from '../../support/toolkit/lint/claims.ts';
import { ROOT, runBin } from './helpers.ts';

const DOC = readFileSync(join(ROOT, 'docs/authoring.md'), 'utf8');
const LAB = 'pnauthor';
const isRoot = process.getuid?.() === 0;

/** The fenced block right after `<!-- worked-example: <name> -->`. */
function example(name: string): string {
  const found = new RegExp(`<!-- worked-example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n`).exec(DOC);
  assert.ok(found, `docs/authoring.md has no worked-example block "${name}"`);
  return found[1] as string;
}

const claimRow = example('claim');
const feature = example('feature');
const claim = /^\| ([A-Z0-9]+-\d+) \|/.exec(claimRow)?.[1] ?? '';
const faultRun = /npm run e2e -- --claim (\S+) --fault (\S+)/.exec(DOC);
const fault = faultRun?.[2] ?? '';
const expectedFailure = new RegExp(`^\\s+${claim}: "(.*)"$`, 'm').exec(example('mutation'))?.[1] ?? '';

const dir = mkdtempSync(join(tmpdir(), 'podnet-authoring-'));
const featureFile = join(dir, 'next-hop.feature');
const claimsFile = join(dir, 'claims.md');
writeFileSync(featureFile, feature);
writeFileSync(claimsFile, `${readFileSync(join(ROOT, CLAIMS_FILE), 'utf8')}\n${claimRow}`);
after(() => rmSync(dir, { recursive: true, force: true }));

test('the worked example is complete: a claim row, a feature tagged with it, a fault and its message', () => {
  assert.match(claim, /^L03-\d{2}$/);
  assert.match(feature, new RegExp(`@claim:${claim}\\b`));
  assert.equal(faultRun?.[1], claim, 'the fault run is of the example claim');
  assert.ok(expectedFailure, `the mutation snippet lists ${claim}`);
});

test("the example's claim row is what makes its tag valid: the lint passes with it, and flags the tag without it", () => {
  const withRow = runBin('lint-features.ts', ['--claims', claimsFile, featureFile]);
  assert.equal(withRow.code, 0, withRow.stdout + withRow.stderr);
  const withoutRow = runBin('lint-features.ts', [featureFile]);
  assert.equal(withoutRow.code, 1, withoutRow.stdout + withoutRow.stderr);
  assert.match(withoutRow.stdout, new RegExp(`no claim ${claim} in ${CLAIMS_FILE}.*\\(known-claim-ids\\)`));
});

test('every npm script the guide names exists', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const named = [...DOC.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] as string);
  assert.ok(named.length > 0);
  for (const script of new Set(named)) assert.ok(scripts[script], `npm run ${script} is not a script of package.json`);
});

describe('the worked example on the embedded lab', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  const e2e = (extra: string[]) => {
    runBin('lab.ts', ['down', '--name', LAB]); // a crashed earlier run must not leave a lab to attach to
    return runBin(
      'e2e.ts',
      ['--target', 'netns', '--lab', LAB, '--no-report', '--claim', claim, ...extra, featureFile],
      { PODNET_REPORTS_DIR: join(dir, 'reports') },
      180_000,
    );
  };

  test('it runs green, with no new code', () => {
    const { code, stdout, stderr } = e2e([]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /2 scenarios \(2 passed\)/);
  });

  test('it fails under the fault the guide names, with the message the guide gives', () => {
    const { code, stdout, stderr } = e2e(['--fault', fault]);
    assert.equal(code, 1, stdout + stderr);
    assert.match(stdout, /2 scenarios \(2 failed\)/);
    assert.ok(stdout.includes(expectedFailure), `expected "${expectedFailure}" in:\n${stdout}`);
  });
});
