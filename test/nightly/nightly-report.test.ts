/**
 * The nightly's one report for the whole matrix: results tagged per cell, one Allure 3
 * environment per cell, history carried across nights per cell, and the claim × cell table of
 * the job summary. Results are shaped as allure-cucumberjs 3 writes them (labels `claim`,
 * `feature`, …, as in reports/allure-results of a real run).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { claimTableOf, renderClaimTable, addResult, type ClaimOutcome } from '../../support/nightly/claim-table.ts';
import { tagCell } from '../../support/nightly/tag-cell.ts';

const run = promisify(execFile);
const root = await mkdtemp(join(tmpdir(), 'podnet-nightly-'));
after(() => rm(root, { recursive: true, force: true }));

function result(claim: string, status: string, message?: string, scenario = `scenario of ${claim}`) {
  return {
    uuid: `${claim}-${status}-${Math.random().toString(16).slice(2)}`,
    name: scenario,
    fullName: `features/x.feature#${scenario}`,
    status,
    statusDetails: message ? { message } : {},
    stage: 'finished',
    start: 1,
    stop: 2,
    steps: [],
    attachments: [],
    parameters: [],
    links: [],
    labels: [
      { name: 'language', value: 'javascript' },
      { name: 'framework', value: 'cucumberjs' },
      { name: 'feature', value: 'Pod to pod across nodes' },
      { name: 'claim', value: claim },
      { name: 'tag', value: '@lesson-03' },
    ],
  };
}

async function writeCell(dir: string, results: ReturnType<typeof result>[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const r of results) await writeFile(join(dir, `${r.uuid}-result.json`), JSON.stringify(r));
}

test('a claim shows its worst scenario in a cell; skipped only when every scenario was skipped', () => {
  const claims = new Map<string, ClaimOutcome>();
  addResult(claims, result('NET-06', 'passed'));
  addResult(claims, result('NET-06', 'failed', 'expected to connect\nmore'));
  addResult(claims, result('NET-06', 'passed'));
  addResult(claims, result('L03-08', 'skipped', 'requires native-routing: the pool encapsulation is VXLAN'));
  assert.deepEqual(claims.get('NET-06'), { status: 'failed', reason: 'expected to connect' });
  assert.equal(claims.get('L03-08')?.status, 'skipped');
});

test('the table: claims in ID order, one column per cell, and why each cell did not pass', () => {
  const table = renderClaimTable([
    {
      cell: 'k8s v1.28.0 · calico v3.30.0 · VXLAN',
      claims: new Map([
        ['L03-08', { status: 'skipped', reason: 'requires native-routing' }],
        ['L02-10', { status: 'passed', reason: undefined }],
      ]),
    },
    {
      cell: 'k8s v1.28.0 · calico v3.30.0 · None',
      claims: new Map([
        ['L03-08', { status: 'passed', reason: undefined }],
        ['L02-10', { status: 'failed', reason: 'saw eth0' }],
      ]),
    },
  ]);
  const lines = table.split('\n');
  assert.equal(lines[2], '| claim | k8s v1.28.0 · calico v3.30.0 · VXLAN | k8s v1.28.0 · calico v3.30.0 · None |');
  assert.equal(lines[4], '| L02-10 | ✅ | ❌ failed |');
  assert.equal(lines[5], '| L03-08 | ⏭️ skipped | ✅ |');
  assert.match(table, /- L03-08 on k8s v1\.28\.0 · calico v3\.30\.0 · VXLAN \(skipped\): requires native-routing/);
  assert.match(table, /- L02-10 on k8s v1\.28\.0 · calico v3\.30\.0 · None \(failed\): saw eth0/);
});

test('one Allure report for the matrix: an environment per cell, history per cell, kept across nights', { timeout: 120_000 }, async () => {
  const cells = ['k8s v1.28.0 · calico v3.30.0 · as-fixture', 'k8s v1.32.0 · calico v3.30.0 · VXLAN'];
  const dirs = cells.map((cell) => join(root, 'results', cell.replace(/[^A-Za-z0-9.-]+/g, '_')));
  await writeCell(dirs[0]!, [result('L03-07', 'passed'), result('L03-08', 'passed')]);
  await writeCell(dirs[1]!, [result('L03-07', 'failed', 'saw TTL 61'), result('L03-08', 'passed')]);
  for (const [index, cell] of cells.entries()) assert.equal(await tagCell(dirs[index]!, cell), 2);

  const history = join(root, 'history.jsonl');
  const generate = (out: string) =>
    run('node_modules/.bin/allure', ['generate', ...dirs, '--config', 'support/nightly/allurerc.nightly.mjs', '-o', out], {
      env: { ...process.env, NIGHTLY_CELLS: cells.join(','), NIGHTLY_HISTORY: history },
    }).catch((error: { stdout?: string; stderr?: string }) =>
      assert.fail(`allure generate failed: ${error.stdout ?? ''}${error.stderr ?? ''}`),
    );
  await generate(join(root, 'night-1'));
  await generate(join(root, 'night-2'));

  const environments = JSON.parse(await readFile(join(root, 'night-2', 'widgets', 'environments.json'), 'utf8')) as {
    id: string;
    name: string;
  }[];
  for (const cell of cells)
    assert.ok(
      environments.some((env) => env.name === cell),
      `environment ${cell} in the report`,
    );
  const nights = (await readFile(history, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { testResults: Record<string, { environment: string; name: string; status: string }> });
  assert.equal(nights.length, 2, 'one history entry per night');
  const entries = Object.values(nights[1]!.testResults);
  assert.equal(entries.length, 4, 'two claims × two cells: no cell overwrites another');
  assert.deepEqual(
    entries.filter((entry) => entry.status === 'failed').map((entry) => entry.environment),
    [cells[1]],
  );

  const table = await claimTableOf(dirs);
  assert.match(table, /\| claim \| k8s v1\.28\.0 · calico v3\.30\.0 · as-fixture \| k8s v1\.32\.0 · calico v3\.30\.0 · VXLAN \|/);
  assert.match(table, /\| L03-07 \| ✅ \| ❌ failed \|/);
  assert.ok((await readdir(join(root, 'night-2'))).includes('index.html'));
});
