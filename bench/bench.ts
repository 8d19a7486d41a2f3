/**
 * npm run bench — the suite's own overhead, measured on this machine with the embedded lab.
 * Every figure is the median (and spread) of several runs; nothing here asserts a target.
 *
 *   npm run bench [-- --runs 3] [--only lab,lessons,scale,parallel,course,bgp]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../support/cli/table.ts';
import { labDown, labLabelNode, labUp } from '../support/lab/lab.ts';
import { NetnsCluster } from '../support/cluster/netns/netns-cluster.ts';
import { probeMesh } from '../support/probes/mesh.ts';
import { PING_INTERVAL_S } from '../support/probes/ping.ts';
import { readResults } from '../support/run/summary.ts';
import { courseWayScript } from './course-way.ts';
import { treeRssSampler } from './rss.ts';
import { formatMs, stats, timed, type Stats } from './stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LESSONS = '@lesson-02 or @lesson-03';
/** How long a capture step waits after its traffic for the last packets (support/probes/capture.ts). */
const CAPTURE_GRACE_S = 0.1;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } } });
const runs = Number(values.runs);
const only = new Set((values.only ?? 'lab,lessons,scale,parallel,course,bgp').split(','));
const rows: string[][] = [];
const notes: string[] = [];

function row(measure: string, s: Stats, extra = ''): void {
  rows.push([measure, String(s.runs), formatMs(s.median), `${formatMs(s.min)} – ${formatMs(s.max)}`, extra]);
}

async function repeat(times: number, action: () => Promise<number>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await action());
  return stats(samples);
}

function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; code: number | null; out: string }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => done({ ms: performance.now() - started, code, out }));
  });
}

function runE2e(args: string[], reports: string) {
  return runNode(['--import', 'tsx', 'bin/e2e.ts', '--target', 'netns', ...args], { PODNET_REPORTS_DIR: reports });
}

/** The waits the lesson scenarios ask for: pings (count × interval) and capture windows. */
function waitsOf(messagesFile: string): number {
  let seconds = 0;
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line.includes('"pickle"')) continue;
    const pickle = (JSON.parse(line) as { pickle?: { steps: { text: string }[] } }).pickle;
    for (const step of pickle?.steps ?? []) {
      const ping = /pings "[^"]+" (\d+) times/.exec(step.text);
      if (ping) seconds += Number(ping[1]) * PING_INTERVAL_S + (/captures/.test(step.text) ? CAPTURE_GRACE_S : 0);
    }
  }
  return seconds * 1000;
}

async function benchLab(): Promise<void> {
  const up: number[] = [];
  const down: number[] = [];
  await labDown('pnbench');
  for (let i = 0; i < runs; i++) {
    up.push((await timed(() => labUp({ name: 'pnbench' })))[1]);
    down.push((await timed(() => labDown('pnbench')))[1]);
  }
  row('lab bring-up: 3 nodes, lesson workloads', stats(up), 'target < 1 s');
  row('lab teardown', stats(down), 'target < 0.5 s');
}

async function benchLessons(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  try {
    const bare = mkdtempSync(join(tmpdir(), 'podnet-bare-'));
    writeFileSync(join(bare, 'empty.feature'), 'Feature: nothing\n');
    const start = await repeat(
      runs,
      async () => (await runNode([join(ROOT, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), join(bare, 'empty.feature')])).ms,
    );
    rmSync(bare, { recursive: true, force: true });
    row('bare start of Node and cucumber (no support code)', start);
    const withReport = await repeat(runs, async () => {
      const run = await runE2e(['--lab', 'pnbench', '--tags', LESSONS], reports);
      if (run.code !== 0) throw new Error(`the lesson run failed:\n${run.out}`);
      return run.ms;
    });
    const waits = waitsOf(join(reports, 'cucumber-messages.ndjson'));
    const floor = start.median + waits;
    row(
      'lessons 02+03: npm run e2e (bring-up, report, teardown)',
      withReport,
      `floor ${formatMs(floor)}, ratio ${(withReport.median / floor).toFixed(2)}`,
    );
    const noReport = await repeat(runs, async () => (await runE2e(['--lab', 'pnbench', '--tags', LESSONS, '--no-report'], reports)).ms);
    row('lessons 02+03: the same with --no-report', noReport, `ratio ${(noReport.median / floor).toFixed(2)}`);
    notes.push(
      `floor = bare start ${formatMs(start.median)} + waits the scenarios ask for ${formatMs(waits)} (ping count × ${PING_INTERVAL_S} s, ${CAPTURE_GRACE_S} s per capture)`,
    );
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

async function benchScale(): Promise<void> {
  const up: number[] = [];
  const mesh: number[] = [];
  const down: number[] = [];
  let execs = 0;
  let pairs = 0;
  let peakRss = 0;
  await labDown('pnscale');
  try {
    for (let i = 0; i < runs; i++) {
      const [{ state }, upMs] = await timed(() => labUp({ name: 'pnscale', workers: 9, podsPerNode: 10 }));
      up.push(upMs);
      const cluster = NetnsCluster.attach('pnscale');
      const pods = await cluster.pods();
      const sampler = treeRssSampler(process.pid);
      const [seen, meshMs] = await timed(() => probeMesh(cluster, pods, { capture: false }));
      peakRss = Math.max(peakRss, sampler.stop());
      mesh.push(meshMs);
      execs = seen.evidence.length;
      pairs = seen.value.length;
      const unreachable = seen.value.filter((cell) => !cell.reachable).length;
      if (unreachable) notes.push(`scale run ${i + 1}: ${unreachable} pairs unreachable`);
      down.push((await timed(() => labDown('pnscale')))[1]);
      if (i === 0) notes.push(`scale lab: ${state.nodes.length} nodes, ${state.pods.length} pods`);
    }
  } finally {
    await labDown('pnscale');
  }
  row('scale lab bring-up: 10 nodes, 100 pods', stats(up), 'target < 3 s');
  row(`full mesh: ${pairs} ordered pairs, ${execs} execs`, stats(mesh), 'target < 3 s');
  row('scale lab teardown', stats(down));
  notes.push(
    `peak RSS of the suite's process tree during the mesh: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (the node process, and every ip/sh/fping it started)`,
  );
}

async function benchParallel(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  try {
    await labDown('pnpar');
    await labUp({ name: 'pnpar' });
    const statuses = (dir: string) =>
      readResults(join(dir, 'allure-results'))
        .map((result) => `${result.name}=${result.status}`)
        .sort();
    let serialStatuses: string[] = [];
    const serial = await repeat(runs, async () => {
      const run = await runE2e(['--lab', 'pnpar', '--no-report'], reports);
      serialStatuses = statuses(reports);
      return run.ms;
    });
    let parallelStatuses: string[] = [];
    const parallel = await repeat(runs, async () => {
      const run = await runE2e(['--lab', 'pnpar', '--no-report', '--parallel', '2'], reports);
      parallelStatuses = statuses(reports);
      return run.ms;
    });
    row('all features, serial (attached lab, no report)', serial);
    row('all features, --parallel 2', parallel, `speed-up ${(serial.median / parallel.median).toFixed(2)}×`);
    notes.push(
      `--parallel 2 gave ${JSON.stringify(serialStatuses) === JSON.stringify(parallelStatuses) ? 'the same' : 'DIFFERENT'} result for each of the ${serialStatuses.length} scenarios as the serial run`,
    );
  } finally {
    await labDown('pnpar');
    rmSync(reports, { recursive: true, force: true });
  }
}

async function benchCourseWay(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  try {
    await labDown('pncourse');
    const { state } = await labUp({ name: 'pncourse' });
    const script = join(reports, 'course-way.sh');
    writeFileSync(script, courseWayScript(state));
    const byHand = await repeat(runs, async () => {
      const [code, ms] = await timed(
        () => new Promise<number | null>((done) => spawn('bash', [script], { stdio: 'ignore' }).once('exit', done)),
      );
      if (code !== 0) throw new Error(`the course-way script failed (${code}); run bash ${script} to see why`);
      return ms;
    });
    const suite = await repeat(runs, async () => (await runE2e(['--lab', 'pncourse', '--tags', LESSONS, '--no-report'], reports)).ms);
    row("lessons 02+03 the course's way: a shell script, one process per check", byHand);
    row(
      'lessons 02+03 by the suite on the same lab (parsing, evidence, JUnit, Allure results)',
      suite,
      `${(suite.median / byHand.median).toFixed(2)}× the script`,
    );
  } finally {
    await labDown('pncourse');
    rmSync(reports, { recursive: true, force: true });
  }
}

/** BGP: each BGP topology's bring-up, the share of it spent waiting for BGP to settle, and a relabelling's convergence. */
async function benchBgp(): Promise<void> {
  for (const topology of ['calico-bgp', 'calico-bgp-ippool', 'selective-bgp-peering']) {
    const name = `pnbgp-${topology}`;
    const total: number[] = [];
    const converge: number[] = [];
    const relabel: number[] = [];
    await labDown(name);
    try {
      for (let i = 0; i < runs; i++) {
        const [{ state }, upMs] = await timed(() => labUp({ name, topology }));
        total.push(upMs);
        converge.push(state.bgp?.convergenceMs ?? 0);
        if (topology === 'selective-bgp-peering') {
          const quiet = state.nodes.find((node) => node.role === 'worker' && node.labels?.['bgp-peer'] === undefined);
          if (quiet) relabel.push((await timed(() => labLabelNode(name, quiet.name, { 'bgp-peer': 'true' })))[1]);
        }
        await labDown(name);
      }
    } finally {
      await labDown(name);
    }
    const share = stats(converge).median / stats(total).median;
    row(`lab bring-up, topology ${topology} (BGP)`, stats(total));
    row(
      `  of which BGP convergence (sessions, End-of-RIB, routes installed)`,
      stats(converge),
      `${(share * 100).toFixed(0)}% of the bring-up`,
    );
    if (relabel.length) row('  a node labelled bgp-peer=true: BIRD reloaded, its session up', stats(relabel));
  }
  notes.push("BGP convergence includes BIRD's `connect delay time 2` (Calico's template), a floor of 2 s per session start");
}

const sections: [string, () => Promise<void>][] = [
  ['bgp', benchBgp],
  ['lab', benchLab],
  ['lessons', benchLessons],
  ['scale', benchScale],
  ['parallel', benchParallel],
  ['course', benchCourseWay],
];
for (const [name, section] of sections) if (only.has(name)) await section();

console.log(
  `podnet-e2e benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
console.log(formatTable(['MEASURE', 'RUNS', 'MEDIAN', 'SPREAD', ''], rows));
for (const note of notes) console.log(`- ${note}`);
