/**
 * One worker of the mutation matrix, forked by the matrix runner with an IPC channel. It loads
 * cucumber's support code once, then asks the runner for work, one unit at a time: a
 * topology's scenarios on its clean lab, or under one fault. It keeps the lab of the topology
 * it last worked on (a unit of another topology takes that lab down and builds one for it);
 * each fault is undone after its run, and the lab is checked to be back as it was (its model
 * and a look at its kernel) — the undo check, folded into the same pass. Its lab is taken down
 * when it ends, also when its runner goes away.
 */
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../lab/lab.ts';
import { TARGET_ENV } from '../target.ts';
import { LABS_ENV, formatLabsEnv, labNameFor } from '../topology/catalogue.ts';
import { featuresOfTopologies } from '../topology/features.ts';
import { differencesAfterUndo, lookAtLab } from './clean-look.ts';
import { InProcessCucumber } from './in-process.ts';
import type { MatrixUnit } from './plan.ts';
import type { RunnerMessage, WorkerMessage } from './protocol.ts';

const send = (message: WorkerMessage) => new Promise<void>((done) => process.send?.(message, () => done()));
let ending = false;

/** The lab this worker holds, from the moment its build starts (so that a failed build is taken down too). */
let held: { topology: string; lab: string; ready: boolean } | undefined;

/** Takes the held lab down; returns its name. */
async function dropLab(): Promise<string | undefined> {
  const lab = held?.lab;
  held = undefined;
  if (lab) await labDown(lab);
  return lab;
}

async function holdLabOf(topology: string, base: string): Promise<string> {
  const lab = labNameFor(base, topology);
  if (held?.topology === topology && held.ready) return lab;
  await dropLab();
  Object.assign(process.env, {
    [TARGET_ENV.target]: 'netns',
    [TARGET_ENV.lab]: lab,
    [LABS_ENV]: formatLabsEnv(new Map([[topology, lab]])),
  });
  await labDown(lab); // one of that name that an earlier, killed run left
  held = { topology, lab, ready: false };
  await labUp({ topology, name: lab, keep: false });
  held.ready = true;
  return lab;
}

type Outcome = Extract<WorkerMessage, { kind: 'outcome' }>;

async function runUnit(cucumber: InProcessCucumber, unit: MatrixUnit, base: string): Promise<Outcome> {
  const { topology, fault } = unit;
  let lab: string;
  try {
    lab = await holdLabOf(topology, base);
  } catch (error) {
    await dropLab();
    return { kind: 'outcome', topology, fault, results: [], diagnoses: [], error: `lab could not be built: ${(error as Error).message}` };
  }
  const paths = featuresOfTopologies([topology]);
  const started = performance.now();
  if (fault === undefined) return { kind: 'outcome', topology, ...(await cucumber.run(paths)), ms: performance.now() - started };
  const phases: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] = (phases[phase] ?? 0) + performance.now() - began;
    }
  };
  let outcome: Outcome;
  try {
    const before = await timed('look', () => lookAtLab(lab));
    await timed('apply', () => labApplyFaults(lab, [fault]));
    const run = await timed('run', () => cucumber.run(paths));
    await timed('undo', () => labUndoFaults(lab));
    const undo = await timed('look', () => differencesAfterUndo(before, lab));
    outcome = { kind: 'outcome', topology, fault, ...run, undo, ms: performance.now() - started, phases };
  } catch (error) {
    outcome = { kind: 'outcome', topology, fault, results: [], diagnoses: [], error: (error as Error).message.split('\n')[0] };
  }
  // A lab not back to clean would spoil the next fault's verdicts: the next unit starts afresh.
  if (outcome.error || outcome.undo?.length) await dropLab();
  return outcome;
}

async function work(labBase: string): Promise<void> {
  const cucumber = await InProcessCucumber.load();
  try {
    for (;;) {
      await send({ kind: 'ready' });
      const message = await nextMessage();
      if (message.kind !== 'unit' || ending) break;
      await send(await runUnit(cucumber, message.unit, labBase));
    }
  } finally {
    await dropLab();
  }
  await send({ kind: 'done' });
}

const inbox: RunnerMessage[] = [];
let waiting: ((message: RunnerMessage) => void) | undefined;
process.on('message', (message: RunnerMessage) => {
  if (waiting) {
    const wake = waiting;
    waiting = undefined;
    wake(message);
  } else inbox.push(message);
});
const nextMessage = () =>
  new Promise<RunnerMessage>((resolve) => {
    const queued = inbox.shift();
    if (queued) resolve(queued);
    else waiting = resolve;
  });

async function stop(): Promise<void> {
  if (ending) return;
  ending = true;
  const lab = await dropLab();
  // A scenario still running may have created a pod while the first sweep ran: sweep again.
  if (lab) await labDown(lab);
  process.exit(1);
}

process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
void nextMessage().then((message) => {
  if (message.kind !== 'start') throw new Error(`a matrix worker's first message is start, not ${message.kind}`);
  // Its own disconnect, once the work is done or has failed, is no runner going away: no stop() then.
  work(message.labBase).then(
    () => {
      ending = true;
      process.disconnect();
    },
    async (error: Error) => {
      await send({ kind: 'failed', message: error.stack ?? error.message });
      ending = true;
      process.disconnect();
    },
  );
});
