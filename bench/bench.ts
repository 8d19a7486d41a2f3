/**
 * npm run bench — the suite's own overhead, measured on this machine with the embedded lab.
 * Every figure is the median (and spread) of several runs; nothing here asserts a target.
 *
 *   npm run bench [-- --runs 3] [--lab pnbench] [--only lab,lessons,scale,parallel,course,bgp,all,suite]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../support/cli/table.ts';
import { labDown, labLabelNode, labUp } from '../support/lab/lab.ts';
import { loadLabSpec } from '../support/lab/spec.ts';
import { NetnsCluster } from '../support/cluster/netns/netns-cluster.ts';
import { probeMesh } from '../support/probes/mesh.ts';
import { PING_INTERVAL_S } from '../support/probes/ping.ts';
import { readResults } from '../support/run/summary.ts';
import { labNameFor, listTopologies } from '../support/topology/catalogue.ts';
import { courseWayScript } from './course-way.ts';
import { labLines } from './run-output.ts';
import { treeRssSampler } from './rss.ts';
import { againstGoal, formatMs, stats, timed, type Stats } from './stats.ts';
import { phasesOf } from '../support/lab/phases.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LESSONS = '@lesson-02 or @lesson-03';
/** How long a capture step waits after its traffic for the last packets (support/probes/capture.ts). */
const CAPTURE_GRACE_S = 0.1;
const SECTIONS = ['bgp', 'lab', 'lessons', 'scale', 'parallel', 'course', 'all', 'suite'];
/** The sections a bench without --only runs: `suite` runs the whole-suite tests, tens of minutes, only when asked. */
const DEFAULT_SECTIONS = SECTIONS.filter((name) => name !== 'suite');
/** The issue's goals (issue 19), each printed beside its figure. */
const GOALS = { wholeCourseMs: 30_000, lessonsRatio: 1.3, parallelSpeedUp: 1.5 };
/**
 * Where `npm test` spends its time: the whole-suite tests, each timed alone by `--only suite`.
 * The hook for the whole-suite tests as they are reorganised: list each one's file here.
 */
const WHOLE_SUITE_TESTS: string[] = [
  'test/mutation/matrix.test.ts',
  'test/mutation/undo.test.ts',
  'test/diagnosis/every-failure.test.ts',
  'test/crosstarget/same-answers.test.ts',
];
const USAGE = `npm run bench -- [options]

  --runs N       how many times each measure is taken (default 3; the median and spread are shown)
  --lab NAME     the prefix of the labs the bench brings up (default pnbench): NAME, NAME-scale,
                 NAME-par, NAME-course, NAME-bgp; each run's other topologies get NAME…-<topology>.
                 Give one no other run uses: the bench tears its labs down before and after.
  --only LIST    the sections to run, comma-separated (default all of them but suite):
                   bgp       each BGP topology's bring-up and the share of it BGP convergence takes
                   lab       each topology's lab: bring-up and teardown, alone, and its slowest phases
                   lessons   lessons 02+03 against their floor (bare start + the waits they ask for)
                   scale     a 10-node, 100-pod lab and its full mesh
                   parallel  the whole course, serial and --parallel 2 (each bringing its labs up), and the speed-up
                   course    lessons 02+03 as a shell script vs the suite
                   all       the whole course run (npm run e2e: every lesson, every topology's lab)
                   suite     where npm test spends its time: each whole-suite test alone (tens of minutes)
  --help         this text`;

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: { runs?: string; only?: string; lab?: string; help?: boolean };
try {
  values = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      only: { type: 'string' },
      lab: { type: 'string', default: 'pnbench' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) usageError(`--runs wants a whole number of at least 1, got "${values.runs}"`);
const only = new Set((values.only ?? DEFAULT_SECTIONS.join(',')).split(','));
const unknown = [...only].filter((name) => !SECTIONS.includes(name));
if (unknown.length) usageError(`--only: no section named ${unknown.join(', ')} (there are ${SECTIONS.join(', ')})`);
const LAB = values.lab as string;
if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(LAB) || LAB.length > 20)
  usageError(`--lab wants a short DNS label (lower-case letters, digits, dashes; at most 20 characters), got "${LAB}"`);
const labs = { bench: LAB, scale: `${LAB}-scale`, par: `${LAB}-par`, course: `${LAB}-course`, all: `${LAB}-all`, bgp: `${LAB}-bgp` };
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

/**
 * The waits the scenarios that ran ask for: pings (count × interval) and capture windows.
 * Cucumber writes a pickle for every scenario it loaded, selected or not; those that ran have a test case.
 */
function waitsOf(messagesFile: string): number {
  const pickles = new Map<string, { steps: { text: string }[] }>();
  const ran = new Set<string>();
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line.includes('"pickle"') && !line.includes('"testCase"')) continue;
    const envelope = JSON.parse(line) as { pickle?: { id: string; steps: { text: string }[] }; testCase?: { pickleId: string } };
    if (envelope.pickle) pickles.set(envelope.pickle.id, envelope.pickle);
    if (envelope.testCase) ran.add(envelope.testCase.pickleId);
  }
  let seconds = 0;
  for (const id of ran) {
    for (const step of pickles.get(id)?.steps ?? []) {
      const ping = /pings "[^"]+" (\d+) times/.exec(step.text);
      if (ping) seconds += Number(ping[1]) * PING_INTERVAL_S + (/captures/.test(step.text) ? CAPTURE_GRACE_S : 0);
    }
  }
  return seconds * 1000;
}

/** Each topology's lab alone: bring-up and teardown, and where the bring-up's time goes (its phases, lab/phases.ts). */
async function benchLab(): Promise<void> {
  for (const topology of listTopologies()) {
    const name = labNameFor(labs.bench, topology);
    const up: number[] = [];
    const down: number[] = [];
    let slowest = '';
    await labDown(name);
    try {
      for (let i = 0; i < runs; i++) {
        const before = phasesOf(name).length;
        up.push((await timed(() => labUp({ name, topology, keep: false })))[1]);
        const phases = phasesOf(name).slice(before);
        down.push((await timed(() => labDown(name)))[1]);
        slowest = [...phases]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map((phase) => `${phase.phase} ${formatMs(phase.ms)}`)
          .join(', ');
      }
    } finally {
      await labDown(name);
    }
    row(`lab up, topology ${topology}`, stats(up), `slowest phases (last run): ${slowest}`);
    row(`lab down, topology ${topology}`, stats(down));
  }
  notes.push('a lab alone; in a run the labs of every topology come up side by side (the whole course below)');
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
      const run = await runE2e(['--lab', labs.bench, '--tags', LESSONS], reports);
      if (run.code !== 0) throw new Error(`the lesson run failed:\n${run.out}`);
      return run.ms;
    });
    const waits = waitsOf(join(reports, 'cucumber-messages.ndjson'));
    const floor = start.median + waits;
    row(
      'lessons 02+03: npm run e2e (bring-up, report, teardown)',
      withReport,
      `floor ${formatMs(floor)}, ratio ${(withReport.median / floor).toFixed(2)}, ${againstGoal(withReport.median / floor, { atMost: GOALS.lessonsRatio, unit: 'x' })}`,
    );
    const noReport = await repeat(runs, async () => (await runE2e(['--lab', labs.bench, '--tags', LESSONS, '--no-report'], reports)).ms);
    row(
      'lessons 02+03: the same with --no-report',
      noReport,
      `ratio ${(noReport.median / floor).toFixed(2)}, ${againstGoal(noReport.median / floor, { atMost: GOALS.lessonsRatio, unit: 'x' })}`,
    );
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
  await labDown(labs.scale);
  try {
    for (let i = 0; i < runs; i++) {
      const [{ state }, upMs] = await timed(() => labUp({ name: labs.scale, workers: 9, podsPerNode: 10 }));
      up.push(upMs);
      const cluster = NetnsCluster.attach(labs.scale);
      const pods = await cluster.pods();
      const sampler = treeRssSampler(process.pid);
      const [seen, meshMs] = await timed(() => probeMesh(cluster, pods, { capture: false }));
      peakRss = Math.max(peakRss, sampler.stop());
      mesh.push(meshMs);
      execs = seen.evidence.length;
      pairs = seen.value.length;
      const unreachable = seen.value.filter((cell) => !cell.reachable).length;
      if (unreachable) notes.push(`scale run ${i + 1}: ${unreachable} pairs unreachable`);
      down.push((await timed(() => labDown(labs.scale)))[1]);
      if (i === 0) notes.push(`scale lab: ${state.nodes.length} nodes, ${state.pods.length} pods`);
    }
  } finally {
    await labDown(labs.scale);
  }
  row('scale lab bring-up: 10 nodes, 100 pods', stats(up), 'target < 3 s');
  row(`full mesh: ${pairs} ordered pairs, ${execs} execs`, stats(mesh), 'target < 3 s');
  row('scale lab teardown', stats(down));
  notes.push(
    `peak RSS of the suite's process tree during the mesh: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (the node process, and every ip/sh/fping it started)`,
  );
}

/** The whole course serial and with --parallel 2, each run bringing its labs up and down as a user's does; the verdicts compared. */
async function benchParallel(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  const topologies = listTopologies();
  const clear = () => Promise.all(topologies.map((topology) => labDown(labNameFor(labs.par, topology))));
  try {
    await clear();
    const statuses = (dir: string) =>
      readResults(join(dir, 'allure-results'))
        .map((result) => `${result.name}=${result.status}`)
        .sort();
    let serialStatuses: string[] = [];
    const serial = await repeat(runs, async () => {
      const run = await runE2e(['--lab', labs.par, '--no-report'], reports);
      serialStatuses = statuses(reports);
      return run.ms;
    });
    let parallelStatuses: string[] = [];
    const parallel = await repeat(runs, async () => {
      const run = await runE2e(['--lab', labs.par, '--no-report', '--parallel', '2'], reports);
      parallelStatuses = statuses(reports);
      return run.ms;
    });
    const speedUp = serial.median / parallel.median;
    row('the whole course, serial (labs up and down, no report)', serial, againstGoal(serial.median, { atMost: GOALS.wholeCourseMs }));
    row(
      'the whole course, --parallel 2',
      parallel,
      `speed-up ${speedUp.toFixed(2)}×, ${againstGoal(speedUp, { atLeast: GOALS.parallelSpeedUp, unit: 'x' })}`,
    );
    const differing = [
      ...serialStatuses.filter((status) => !parallelStatuses.includes(status)).map((status) => `serial ${status}`),
      ...parallelStatuses.filter((status) => !serialStatuses.includes(status)).map((status) => `parallel ${status}`),
    ];
    notes.push(
      differing.length === 0
        ? `--parallel 2 gave the same result for each of the ${serialStatuses.length} scenarios as the serial run`
        : `--parallel 2 gave DIFFERENT results than the serial run (last runs, ${serialStatuses.length} and ${parallelStatuses.length} scenarios): ${differing.slice(0, 6).join('; ')}${differing.length > 6 ? '; …' : ''}`,
    );
  } finally {
    await clear();
    rmSync(reports, { recursive: true, force: true });
  }
}

async function benchCourseWay(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  try {
    await labDown(labs.course);
    const { state } = await labUp({ name: labs.course });
    const script = join(reports, 'course-way.sh');
    writeFileSync(script, courseWayScript(state));
    const byHand = await repeat(runs, async () => {
      const [code, ms] = await timed(
        () => new Promise<number | null>((done) => spawn('bash', [script], { stdio: 'ignore' }).once('exit', done)),
      );
      if (code !== 0) throw new Error(`the course-way script failed (${code}); run bash ${script} to see why`);
      return ms;
    });
    const suite = await repeat(runs, async () => (await runE2e(['--lab', labs.course, '--tags', LESSONS, '--no-report'], reports)).ms);
    row("lessons 02+03 the course's way: a shell script, one process per check", byHand);
    row(
      'lessons 02+03 by the suite on the same lab (parsing, evidence, JUnit, Allure results)',
      suite,
      `${(suite.median / byHand.median).toFixed(2)}× the script`,
    );
  } finally {
    await labDown(labs.course);
    rmSync(reports, { recursive: true, force: true });
  }
}

/** BGP: each BGP topology's bring-up, the share of it spent waiting for BGP to settle, and a relabelling's convergence. */
async function benchBgp(): Promise<void> {
  for (const topology of listTopologies().filter((candidate) => loadLabSpec({ topology: candidate }).bgp)) {
    const name = labNameFor(labs.bgp, topology);
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

/**
 * The whole course run as a user starts it (`npm run e2e`: every feature, one lab per topology
 * brought up side by side, the report), and the BGP convergence waits it printed for its labs.
 */
async function benchWholeCourse(): Promise<void> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  const topologies = listTopologies();
  const clear = () => Promise.all(topologies.map((topology) => labDown(labNameFor(labs.all, topology))));
  try {
    await clear();
    let last = { out: '', code: null as number | null, counts: '' };
    const whole = await repeat(runs, async () => {
      const run = await runE2e(['--lab', labs.all], reports);
      const results = readResults(join(reports, 'allure-results'));
      const count = (status: string) => results.filter((result) => result.status === status).length;
      last = {
        out: run.out,
        code: run.code,
        counts: `${results.length} scenarios: ${count('passed')} passed, ${count('skipped')} skipped, ${count('failed') + count('broken')} failed`,
      };
      return run.ms;
    });
    const up = labLines(last.out);
    const missing = topologies.filter((topology) => !up.some((line) => line.topology === topology));
    row(
      `the whole course: npm run e2e, ${up.length} labs side by side, report`,
      whole,
      `${last.counts}; ${againstGoal(whole.median, { atMost: GOALS.wholeCourseMs })}`,
    );
    if (missing.length) notes.push(`the whole-course run brought up no lab for ${missing.join(', ')}`);
    if (last.code !== 0) notes.push(`the whole-course run exited ${last.code}: see its output with npm run e2e -- --lab ${labs.all}`);
    const slowest = Math.max(...up.map((line) => line.upMs));
    const bgp = up.filter((line) => line.bgpMs !== undefined);
    const longestBgp = Math.max(0, ...bgp.map((line) => line.bgpMs as number));
    notes.push(
      `whole course (last run): labs up in ${formatMs(slowest)} (the slowest of ${up.length}, side by side, while the support code loads); ` +
        `BGP convergence waits in the bring-ups: ${bgp.map((line) => `${line.topology} ${formatMs(line.bgpMs as number)}`).join(', ') || 'none'}; ` +
        `they run side by side, so the run waits about the longest, ${formatMs(longestBgp)} = ${((longestBgp / whole.median) * 100).toFixed(1)}% of its median ` +
        `(waits inside scenarios, after a relabelling or a router change, are not printed by the run)`,
    );
  } finally {
    await clear();
    rmSync(reports, { recursive: true, force: true });
  }
}

/** Where npm test spends its time: each whole-suite test file (WHOLE_SUITE_TESTS) run alone, once. */
async function benchSuite(): Promise<void> {
  for (const file of WHOLE_SUITE_TESTS) {
    const run = await runNode(['--import', 'tsx', '--test', file]);
    row(`npm test: ${file}`, stats([run.ms]), run.code === 0 ? 'passed' : `exited ${run.code}`);
  }
}

const sections: [string, () => Promise<void>][] = [
  ['bgp', benchBgp],
  ['lab', benchLab],
  ['lessons', benchLessons],
  ['scale', benchScale],
  ['parallel', benchParallel],
  ['course', benchCourseWay],
  ['all', benchWholeCourse],
  ['suite', benchSuite],
];
for (const [name, section] of sections) if (only.has(name)) await section();

console.log(
  `podnet-e2e benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
console.log(formatTable(['MEASURE', 'RUNS', 'MEDIAN', 'SPREAD', ''], rows));
for (const note of notes) console.log(`- ${note}`);
