/**
 * Bad input and crashed runs, each tried as a user would: every one ends with exit code 2 and
 * a message that says what is wrong and what to do, never a stack trace; a lab left behind by
 * a killed run is cleared by the next; Ctrl-C reports interrupted scenarios as such; the
 * report of a captured scenario holds pcap files that tcpdump reads back.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { labDown, labNamespaces, labUp } from '../../support/lab/lab.ts';
import { readState, statePath, writeState } from '../../support/lab/state.ts';
import { readResults } from '../../support/run/summary.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
const reports = mkdtempSync(join(tmpdir(), 'podnet-bad-input-'));
after(() => rmSync(reports, { recursive: true, force: true }));

function command(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PODNET_REPORTS_DIR: reports, ...env },
    timeout: 300_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}
const e2e = (args: string[], env: NodeJS.ProcessEnv = {}) => command('bin/e2e.ts', args, env);

/** No stack trace: no "    at …" frame, no raw SyntaxError. */
function assertNoStack(out: string): void {
  assert.doesNotMatch(out, /^\s+at .+[(:]\d+/m, out);
  assert.doesNotMatch(out, /^SyntaxError/m, out);
}

test('a kubeconfig that is named but missing is exit 2 naming the file, not a switch to the lab', () => {
  const { code, out } = e2e([], { KUBECONFIG: '/nonexistent/kubeconfig', E2E_TARGET: 'auto' });
  assert.equal(code, 2, out);
  assert.match(out, /the kubeconfig \/nonexistent\/kubeconfig \(named by KUBECONFIG or --kubeconfig\) does not exist/);
  assert.doesNotMatch(out, /target netns/);
  assertNoStack(out);
  const option = e2e(['--kubeconfig', '/nonexistent/kc']);
  assert.equal(option.code, 2, option.out);
  assert.match(option.out, /the kubeconfig \/nonexistent\/kc .* does not exist/);
});

test('a corrupt state file is exit 2 with a clear message and what to do, for e2e and the lab commands', () => {
  const states = mkdtempSync(join(tmpdir(), 'podnet-states-'));
  try {
    const file = join(states, 'pncorrupt.json');
    mkdirSync(states, { recursive: true });
    writeFileSync(file, '{"version": 1, "name": "pncorrupt", "nodes": [');
    const env = { PODNET_STATE_DIR: states };
    const run = e2e(['--target', 'netns', '--lab', 'pncorrupt', '--no-report'], env);
    assert.equal(run.code, 2, run.out);
    assert.match(run.out, /pncorrupt\.json, the state file of lab pncorrupt, cannot be read/);
    assert.match(run.out, /→ clear the lab with npm run lab:down -- --name pncorrupt/);
    assertNoStack(run.out);
    const status = command('bin/lab.ts', ['status', '--name', 'pncorrupt'], env);
    assert.equal(status.code, 2, status.out);
    assert.match(status.out, /cannot be read/);
    assertNoStack(status.out);
  } finally {
    rmSync(states, { recursive: true, force: true });
  }
});

test('a tag expression cucumber cannot parse, and a selection of no scenario, are usage errors (exit 2 with the reason)', () => {
  const bad = e2e(['--tags', '@a and']);
  assert.equal(bad.code, 2, bad.out);
  assert.match(bad.out, /--tags: Tag expression "\(@a and\)" could not be parsed/);
  assert.match(bad.out, /usage: npm run e2e/);
  const none = e2e(['--tags', '@no-such-tag']);
  assert.equal(none.code, 2, none.out);
  assert.match(none.out, /no scenario matches --tags "@no-such-tag"; nothing to run/);
  const claim = e2e(['--claim', 'L09-99']);
  assert.equal(claim.code, 2, claim.out);
  assert.match(claim.out, /no scenario matches --claim L09-99/);
  for (const run of [bad, none, claim]) assertNoStack(run.out);
});

test('--rerun with nothing failed last time is a usage error', () => {
  const empty = mkdtempSync(join(tmpdir(), 'podnet-rerun-'));
  try {
    const { code, out } = e2e(['--rerun'], { PODNET_REPORTS_DIR: empty });
    assert.equal(code, 2, out);
    assert.match(out, /--rerun: no scenario failed in the last run/);
    writeFileSync(join(empty, 'rerun.txt'), '');
    assert.match(e2e(['--rerun'], { PODNET_REPORTS_DIR: empty }).out, /rerun\.txt is empty/);
    assert.match(e2e(['--rerun', '--claim', 'L03-07']).out, /does not combine with --tags, --claim or feature paths/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('npm run e2e -- --help (and -h) prints the usage and exits 0, running nothing', () => {
  for (const flag of ['--help', '-h']) {
    const { code, out } = e2e([flag]);
    assert.equal(code, 0, out);
    assert.match(out, /^usage: npm run e2e/m);
    assert.match(out, /-h, --help/);
    assert.doesNotMatch(out, /Unknown option|torn down|LESSON +PASSED/);
  }
});

test('npm run mutation with an unknown option prints its usage and exits 2', () => {
  const { code, out } = command('bin/mutation.ts', ['--bogus']);
  assert.equal(code, 2, out);
  assert.match(out, /Unknown option '--bogus'/);
  assert.match(out, /usage: npm run mutation/);
  assertNoStack(out);
  const fault = command('bin/mutation.ts', ['--fault', 'gremlins']);
  assert.equal(fault.code, 2, fault.out);
  assert.match(fault.out, /no fault named "gremlins"/);
});

/** A PID that no process has: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid as number;
}

test(
  'a lab whose run was killed and that was not kept is cleared and rebuilt by the next run, which says so',
  { skip: !isRoot && 'needs root' },
  async () => {
    const lab = 'pndeadowner';
    await labDown(lab);
    const { state } = await labUp({ name: lab, keep: false });
    writeState({ ...state, owner: deadPid() }); // as a run killed with kill -9 leaves it
    try {
      const { code, out } = e2e(['--target', 'netns', '--lab', lab, '--claim', 'L02-03', '--no-report']);
      assert.equal(code, 0, out);
      assert.match(
        out,
        new RegExp(`lab ${lab} was left behind by run \\d+, which is gone, and was not kept: cleared it and built it afresh`),
      );
      assert.match(out, /brought up in \d+ ms/);
      assert.deepEqual(await labNamespaces(lab), [], 'the new run tore down the lab it built');
    } finally {
      await labDown(lab);
    }
  },
);

test('a lab that belongs to a run still going, and was not kept, is not attached to', { skip: !isRoot && 'needs root' }, async () => {
  const lab = 'pnbusy';
  await labDown(lab);
  await labUp({ name: lab, keep: false }); // owned by this test process, which runs
  try {
    const { code, out } = e2e(['--target', 'netns', '--lab', lab, '--claim', 'L02-03', '--no-report']);
    assert.equal(code, 2, out);
    assert.match(out, new RegExp(`lab ${lab} belongs to run ${process.pid}, which is still running`));
    assert.equal(readState(lab)?.kept, false);
  } finally {
    await labDown(lab);
  }
  assert.equal(readState(lab), undefined);
  assert.match(statePath(lab), /pnbusy\.json$/);
});

test('Ctrl-C during the scenarios: the summary and the report say interrupted, not failed', { skip: !isRoot && 'needs root' }, async () => {
  const lab = 'pninterrupt';
  await labDown(lab);
  // Two lessons on two topologies, as in runner.test.ts: enough scenarios to be cut short, both labs to take down.
  const args = ['--import', 'tsx', 'bin/e2e.ts', '--lab', lab, '--target', 'netns', '--no-report', '--tags', '@lesson-02 or @lesson-06'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PODNET_REPORTS_DIR: reports },
  });
  let out = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    // The progress formatter prints a dot per step: the first one means scenarios are running.
    if (!sent && /brought up[^\n]*\n[\s\S]*\./.test(out)) sent = child.kill('SIGINT');
  });
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  assert.equal(code, 130, out);
  assert.match(out, /LESSON\s+PASSED\s+FAILED\s+BROKEN\s+SKIPPED\s+INTERRUPTED/);
  assert.match(out, /\d+ scenario\(s\) interrupted \(Ctrl-C\)/);
  const results = readResults(join(reports, 'allure-results'));
  const interrupted = results.filter((result) => result.status === 'interrupted');
  assert.ok(interrupted.length > 0, out);
  assert.deepEqual(
    results.filter((result) => result.status === 'failed' || result.status === 'broken'),
    [],
    out,
  );
  const files = readdirSync(join(reports, 'allure-results')).filter((file) => file.endsWith('-result.json'));
  const statuses = files.map(
    (file) =>
      JSON.parse(readFileSync(join(reports, 'allure-results', file), 'utf8')) as { status: string; statusDetails?: { message?: string } },
  );
  assert.ok(statuses.some((result) => result.status === 'skipped' && /^interrupted by SIGINT/.test(result.statusDetails?.message ?? '')));
  assert.deepEqual(await labNamespaces(lab), [], out);
});

test('a captured scenario: its report holds pcap files that tcpdump -r reads back', { skip: !isRoot && 'needs root' }, () => {
  const { code, out } = e2e(['--target', 'netns', '--lab', 'pnpcap', '--claim', 'L03-06', '--no-report']);
  assert.equal(code, 0, out);
  const dir = join(reports, 'allure-results');
  const pcaps = readdirSync(dir).filter((file) => file.endsWith('.pcap'));
  assert.equal(pcaps.length, 1, readdirSync(dir).join(' '));
  const read = spawnSync('tcpdump', ['-n', '-r', join(dir, pcaps[0] as string)], { encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  assert.equal((read.stdout.match(/ICMP echo request/g) ?? []).length, 3, read.stdout);
  const [result] = readResults(dir);
  assert.ok(
    result?.attachments?.some((name) => /^capture-multitool-2-\w+\.pcap$/.test(name)),
    String(result?.attachments),
  );
});
