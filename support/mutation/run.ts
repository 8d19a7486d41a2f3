/**
 * The mutation matrix: the lesson features against the clean embedded lab and against every
 * fault. A few workers, each a Node process that loads the support code once and keeps the lab
 * of the topology it works on (support/mutation/worker.ts), pull their work from one queue
 * (support/mutation/plan.ts): a fault breaks the labs of its own topologies only, so under a
 * fault only those topologies' features run; the others would meet a lab the fault never
 * touched, as in the clean run.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import type { FaultOutcome } from './compare.ts';
import { findFault } from '../lab/faults/faults.ts';
import { faultApplies } from '../lab/faults/fault.ts';
import { listTopologies } from '../topology/catalogue.ts';
import { featuresOfTopologies } from '../topology/features.ts';
import { loadExpectations } from './expectations.ts';
import { MatrixQueue, slowestFirst, type TopologyWork } from './plan.ts';
import { clearOrphanedResults } from './results-folder.ts';
import type { RunnerMessage, WorkerMessage } from './protocol.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKER = resolve(import.meta.dirname, 'worker.ts');

export interface MatrixRun {
  /** Every topology's scenarios on its clean lab. */
  clean: FaultOutcome;
  /** Per fault, the scenarios of every topology it breaks. */
  faulted: FaultOutcome[];
  /** Faults whose undo did not bring a lab back to clean, with what differed. */
  undoProblems: string[];
  /** Per fault, the text of every diagnosis its failed scenarios carried. */
  diagnoses: Map<string, string[]>;
  /** Each fault's time on each of its topologies (apply, run, undo, check), in ms. */
  timings: { fault: string; topology: string; ms: number }[];
}

const SCENARIO_LINE = /^\s*Scenario( Outline)?:/gm;

function scenarioCount(topology: string): number {
  return featuresOfTopologies([topology]).reduce(
    (sum, path) => sum + (readFileSync(resolve(ROOT, path), 'utf8').match(SCENARIO_LINE)?.length ?? 0),
    0,
  );
}

/** The work of each topology that the chosen faults reach (every topology when all faults are chosen), each topology's slowest faults first. */
export function matrixWork(faults: string[], everyTopology: boolean): TopologyWork[] {
  const table = loadExpectations();
  const chosen = slowestFirst(faults, (fault) => table.get(fault)?.size ?? 0).map(findFault);
  return listTopologies()
    .map((topology) => ({
      topology,
      scenarios: scenarioCount(topology),
      faults: chosen.filter((fault) => faultApplies(fault, topology)).map((fault) => fault.name),
    }))
    .filter((work) => work.scenarios > 0 && (everyTopology || work.faults.length > 0));
}

/** The labs of a matrix run are named `pnmut<pid>s<slot>[-<topology>]`. */
const MATRIX_LAB = /^pnl-pnmut(\d+)s\d+(?:-[a-z0-9-]+)?\./;

/**
 * Clears the labs an earlier matrix run left when it was killed (its fault runs killed with
 * it, before their teardown): found by name, their owner's process gone. Another matrix run
 * still going keeps its labs.
 */
export async function clearOrphanedMatrixLabs(): Promise<string[]> {
  const { labDown } = await import('../lab/lab.ts');
  const listing = await execa('ip', ['netns', 'list'], { reject: false });
  const orphaned = new Set<string>();
  for (const line of String(listing.stdout).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = MATRIX_LAB.exec(name);
    if (match && !processAlive(Number(match[1]))) orphaned.add(name.slice('pnl-'.length, name.indexOf('.')));
  }
  for (const lab of orphaned) await labDown(lab);
  clearOrphanedResults(processAlive);
  return [...orphaned];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface MatrixOptions {
  /** Run every topology on its clean lab, also those no chosen fault reaches (the whole matrix does). */
  everyTopology?: boolean;
  /** How many labs work side by side (default DEFAULT_WORKERS). */
  workers?: number;
  onOutcome?: (message: Extract<WorkerMessage, { kind: 'outcome' }>) => void;
}

/**
 * Five on this two-core machine: under a fault most scenarios wait out a timeout, leaving a
 * core idle, which more labs fill. Measured on the whole matrix: 2 workers left the CPU 16–46%
 * idle; 3 workers took 1,437 s with 22% idle; 4, with the slowest faults first, 1,241 s with
 * 12% idle; on the tree of stop 27, alone, 4 workers took 962 s and 1,531 CPU-s, 5 took 876 s
 * and 1,552 CPU-s (the same work, less idle time).
 */
export const DEFAULT_WORKERS = 5;

export async function runMatrix(faults: string[], options: MatrixOptions = {}): Promise<MatrixRun> {
  await clearOrphanedMatrixLabs();
  const queue = new MatrixQueue(matrixWork(faults, options.everyTopology ?? true));
  const wanted = options.workers ?? DEFAULT_WORKERS;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`a matrix needs at least one worker, not ${wanted}`);
  const workers = Math.min(wanted, queue.remaining);
  const messages = await Promise.all(
    Array.from({ length: workers }, (_, slot) => runWorker(slot, `pnmut${process.pid}s${slot}`, queue, options.onOutcome)),
  );
  const outcomes = messages.flat();
  const byFault = new Map<string, FaultOutcome>(faults.map((fault) => [fault, { fault, results: [] }]));
  const clean: FaultOutcome = { fault: undefined, results: [] };
  const undoProblems: string[] = [];
  const diagnoses = new Map<string, string[]>();
  const timings: MatrixRun['timings'] = [];
  for (const outcome of outcomes) {
    const target = outcome.fault === undefined ? clean : (byFault.get(outcome.fault) as FaultOutcome);
    target.results.push(...outcome.results);
    if (outcome.error) target.error = [target.error, `${outcome.topology}: ${outcome.error}`].filter(Boolean).join('; ');
    if (outcome.fault === undefined) continue;
    for (const problem of outcome.undo ?? []) undoProblems.push(`${outcome.fault} on ${outcome.topology}: ${problem}`);
    diagnoses.set(outcome.fault, [...(diagnoses.get(outcome.fault) ?? []), ...outcome.diagnoses]);
    if (outcome.ms !== undefined) timings.push({ fault: outcome.fault, topology: outcome.topology, ms: outcome.ms });
  }
  return { clean, faulted: [...byFault.values()], undoProblems, diagnoses, timings };
}

/** Forks a worker and hands it units from the queue, one each time it is ready, collecting what it reports until it is done. */
function runWorker(
  slot: number,
  labBase: string,
  queue: MatrixQueue,
  onOutcome: MatrixOptions['onOutcome'],
): Promise<Extract<WorkerMessage, { kind: 'outcome' }>[]> {
  return new Promise((resolvePromise, reject) => {
    const outcomes: Extract<WorkerMessage, { kind: 'outcome' }>[] = [];
    const child = fork(WORKER, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const tell = (message: RunnerMessage) => child.send(message);
    let failure: string | undefined;
    let done = false;
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') {
        const unit = queue.next(slot);
        tell(unit ? { kind: 'unit', unit } : { kind: 'finish' });
      } else if (message.kind === 'outcome') {
        outcomes.push(message);
        onOutcome?.(message);
      } else if (message.kind === 'failed') failure = message.message;
      else done = true;
    });
    child.on('error', (error) => {
      failure ??= error.message;
    });
    child.on('exit', (code, signal) => {
      // A worker that was stopped may say done before it exits 1: only a clean exit brings its work home.
      if (done && code === 0) resolvePromise(outcomes);
      else
        reject(
          new Error(
            `matrix worker ${labBase} ended (${signal ?? `exit ${code}`}) before its work was done${failure ? `: ${failure}` : ''}`,
          ),
        );
    });
    tell({ kind: 'start', labBase });
  });
}
