/** The project's claim catalogue, and the pattern that keeps literal addresses out of steps. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLAIMS_FILE, parseClaims, readClaimIds } from '../../support/toolkit/lint/claims.ts';
import { literalIps } from '../../support/toolkit/lint/literal-ip.ts';
import { ROOT } from './helpers.ts';

const SHARED_CLAIMS = join(ROOT, '../shared/CLAIMS.md');

test('catalogue rows are read as ID and claim, with their line', () => {
  const rows = parseClaims(
    '# x\n\n| ID | claim |\n|---|---|\n| L02-01 | The cluster has three nodes. |\n| NET-09 | No block over 80% allocated. |\n',
  );
  assert.deepEqual(rows, [
    { id: 'L02-01', text: 'The cluster has three nodes.', line: 5 },
    { id: 'NET-09', text: 'No block over 80% allocated.', line: 6 },
  ]);
});

test("the project's catalogue lists each claim once", () => {
  assert.ok(readClaimIds(join(ROOT, CLAIMS_FILE)).size > 0);
});

test(
  "every claim of the course's catalogue (../shared/CLAIMS.md) is in the project's",
  { skip: !existsSync(SHARED_CLAIMS) && 'no ../shared/CLAIMS.md beside the repository' },
  () => {
    const ours = readClaimIds(join(ROOT, CLAIMS_FILE));
    const missing = parseClaims(readFileSync(SHARED_CLAIMS, 'utf8')).filter((row) => !ours.has(row.id));
    assert.deepEqual(
      missing.map((row) => row.id),
      [],
      `add these rows to ${CLAIMS_FILE}`,
    );
  },
);

const SAMPLES: [string, string[]][] = [
  ['routes the IP of "10.96.0.10"', ['10.96.0.10']],
  ['lies inside 192.168.0.0/16', ['192.168.0.0/16']],
  ['default via 169.254.1.1 dev eth0', []],
  ['the gateway is 169.254.1.1.', []],
  ['169.254.1.10 dev eth0', ['169.254.1.10']],
  ['169.254.1.1/32 dev eth0', ['169.254.1.1/32']],
  ['kindest/node v1.28.0 with MTU 1450', []],
];

test("literal addresses are found; only Calico's gateway 169.254.1.1 is allowed", () => {
  for (const [text, found] of SAMPLES) assert.deepEqual(literalIps(text), found, text);
});

test('the step-text pattern in .gplintrc agrees with the toolkit on the same samples', () => {
  const config = JSON.parse(readFileSync(join(ROOT, '.gplintrc'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>;
  const [, options] = config['no-restricted-patterns'] as [string, { Step: string[] }];
  const pattern = new RegExp(options.Step[0] as string, 'i');
  for (const [text, found] of SAMPLES) assert.equal(pattern.test(text), found.length > 0, text);
});
