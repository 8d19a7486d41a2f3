/**
 * npm run e2e from the outside: a run on fresh labs passes every claim, writes its reports and
 * leaves nothing behind; an attached lab is left up; Ctrl-C tears down; bad
 * input is exit code 2.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { labDown, labNamespaces, labUp } from '../../support/lab/lab.ts';
import { statePath } from '../../support/lab/state.ts';
import { onceInCiSkip } from '../whole-suite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
const reports = mkdtempSync(join(tmpdir(), 'podnet-e2e-test-'));
after(() => rmSync(reports, { recursive: true, force: true }));

function e2e(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/e2e.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PODNET_REPORTS_DIR: reports, ...env },
    timeout: 300_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/**
 * Two lessons on two topologies: their labs come up side by side, as a whole run's do, and a
 * Ctrl-C must take both down (labNamespaces finds both by the run's prefix).
 */
export const TWO_TOPOLOGIES = '@lesson-02 or @lesson-06';

/**
 * Whether every scenario holds on its clean lab is the mutation matrix's first question, asked of
 * every topology (its clean runs fail `npm test` on any red scenario), and CI's second Node runs
 * the whole course through this runner. What this test adds is the runner's own work, shown on
 * two topologies: their labs up side by side, the summary, the reports, nothing left.
 */
test(
  'a run on fresh labs of two topologies: every claim holds, reports are written, nothing is left',
  { skip: onceInCiSkip() },
  async () => {
    const { code, out } = e2e(['--lab', 'pnrun', '--target', 'netns', '--tags', TWO_TOPOLOGIES]);
    assert.equal(code, 0, out);
    assert.match(out, /^podnet-e2e: target netns — E2E_TARGET=netns|^podnet-e2e: target netns/m);
    assert.match(out, /Lesson 02 — Pod networking\s+12\s+0\s+0\s+0/);
    assert.match(out, /Lesson 06 — VXLAN CrossSubnet overlay\s+13\s+0\s+0\s+1/);
    assert.ok(existsSync(join(reports, 'allure-report', 'index.html')), 'the HTML report');
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    assert.match(junit, /<testsuite[^>]* tests="\d+"/);
    assert.deepEqual(await labNamespaces('pnrun'), []);
  },
);

test('a lab that was already up is attached to and left up', { skip: !isRoot && 'needs root' }, async () => {
  await labDown('pnattach'); // what a crashed earlier run of this test left must not make it fail
  await labUp({ name: 'pnattach' });
  try {
    const { code, out } = e2e(['--lab', 'pnattach', '--target', 'netns', '--claim', 'L02-03', '--no-report']);
    assert.equal(code, 0, out);
    assert.match(out, /already running \(kept on purpose\): attached, and left up/);
    assert.ok((await labNamespaces('pnattach')).length > 0);
  } finally {
    await labDown('pnattach');
  }
});

/** Runs e2e on a lab of its own and sends one Ctrl-C when the output first shows `when`. */
async function interruptedRun(lab: string, when: string): Promise<{ code: number | null; out: string }> {
  await labDown(lab);
  const args = ['--import', 'tsx', 'bin/e2e.ts', '--lab', lab, '--target', 'netns', '--no-report', '--tags', TWO_TOPOLOGIES];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PODNET_REPORTS_DIR: reports },
  });
  let out = '';
  let sent = false; // once: a second Ctrl-C means "leave without cleaning up"
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes(when) && !sent) sent = child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, out };
}

test('Ctrl-C during a run tears the lab down and exits 130', { skip: !isRoot && 'needs root' }, async () => {
  const { code, out } = await interruptedRun('pnint', 'brought up');
  assert.equal(code, 130, out);
  assert.match(out, /SIGINT: stopping the run and cleaning up/);
  assert.deepEqual(await labNamespaces('pnint'), [], out);
});

test('Ctrl-C while the lab is still coming up also leaves nothing behind', { skip: !isRoot && 'needs root' }, async () => {
  const { code, out } = await interruptedRun('pnearly', 'podnet-e2e: target');
  assert.equal(code, 130, out);
  assert.deepEqual(await labNamespaces('pnearly'), [], out);
  assert.equal(existsSync(statePath('pnearly')), false);
});

test('bad input is exit code 2 with what to do', () => {
  const usage = e2e(['--parallel', 'lots']);
  assert.equal(usage.code, 2, usage.out);
  assert.match(usage.out, /--parallel takes a whole number/);
  const claim = e2e(['--claim', 'L3-7']);
  assert.equal(claim.code, 2);
  assert.match(claim.out, /--claim takes a claim ID like L03-07/);
  const fault = e2e(['--target', 'kind', '--fault', 'snat']);
  assert.equal(fault.code, 2, fault.out);
  assert.match(fault.out, /--fault breaks the embedded lab only/);
  const unknownFault = e2e(['--target', 'netns', '--lab', 'pnbadfault', '--fault', 'gremlins']);
  assert.equal(unknownFault.code, 2, unknownFault.out);
  assert.match(unknownFault.out, /no fault named "gremlins"; the lab knows: snat/);
});

test('a @live-only scenario is skipped on the embedded lab with its reason, never passed', { skip: !isRoot && 'needs root' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-live-only-'));
  try {
    const feature = join(dir, 'live-only.feature');
    writeFileSync(
      feature,
      '@lesson-02\nFeature: only live\n\n  @claim:L02-01 @live-only:needs-real-kubelets\n  Scenario: a claim only a real cluster can answer\n    Then every node is Ready\n',
    );
    const { code, out } = e2e(['--lab', 'pnlive', '--target', 'netns', '--no-report', feature]);
    assert.equal(code, 0, out);
    assert.match(out, /1 scenario \(1 skipped\)/);
    const results = readdirSync(join(reports, 'allure-results')).filter((file) => file.endsWith('-result.json'));
    const result = JSON.parse(readFileSync(join(reports, 'allure-results', results[0] as string), 'utf8')) as { status: string };
    assert.equal(result.status, 'skipped');
    assert.ok(
      readdirSync(join(reports, 'allure-results')).some((file) =>
        readFileSync(join(reports, 'allure-results', file), 'utf8').includes('skipped on the embedded lab: needs real kubelets'),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
