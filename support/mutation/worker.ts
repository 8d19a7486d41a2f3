/**
 * One worker of the mutation matrix, forked by the matrix runner with an IPC channel. It loads
 * cucumber's support code once and keeps one lab per topology it was given: the topology's
 * scenarios run on the clean lab, then under each fault in turn; each fault is undone before
 * the next, and the lab is checked to be back as it was (its model and a look at its kernel) —
 * the undo check, folded into the same pass. Its labs are taken down when it ends, also when its
 * runner goes away.
 */
import { labApplyFaults, labDown, labUndoFaults, labUp } from '../lab/lab.ts';
import { TARGET_ENV } from '../target.ts';
import { LABS_ENV, formatLabsEnv, labNameFor } from '../topology/catalogue.ts';
import { featuresOfTopologies } from '../topology/features.ts';
import { differences, lookAtLab } from './clean-look.ts';
import { InProcessCucumber } from './in-process.ts';
import type { MatrixJob } from './plan.ts';
import type { WorkerMessage, WorkerOrder } from './protocol.ts';

const send = (message: WorkerMessage) => new Promise<void>((done) => process.send?.(message, () => done()));
const labs = new Set<string>();
let ending = false;

async function takeDownLabs(): Promise<void> {
  await Promise.allSettled([...labs].map((lab) => labDown(lab)));
}

async function freshLab(topology: string, lab: string): Promise<void> {
  await labDown(lab);
  labs.add(lab);
  await labUp({ topology, name: lab, keep: false });
}

async function runJob(cucumber: InProcessCucumber, job: MatrixJob, base: string): Promise<void> {
  const lab = labNameFor(base, job.topology);
  Object.assign(process.env, {
    [TARGET_ENV.target]: 'netns',
    [TARGET_ENV.lab]: lab,
    [LABS_ENV]: formatLabsEnv(new Map([[job.topology, lab]])),
  });
  const paths = featuresOfTopologies([job.topology]);
  try {
    await freshLab(job.topology, lab);
  } catch (error) {
    const message = `lab ${lab} could not be built: ${(error as Error).message}`;
    if (job.clean) await send({ kind: 'outcome', topology: job.topology, results: [], diagnoses: [], error: message });
    for (const fault of job.faults)
      await send({ kind: 'outcome', topology: job.topology, fault, results: [], diagnoses: [], error: message });
    return;
  }
  if (job.clean) {
    const started = performance.now();
    const outcome = await cucumber.run(paths);
    await send({ kind: 'outcome', topology: job.topology, ...outcome, ms: performance.now() - started });
  }
  for (const fault of job.faults) {
    if (ending) return;
    const started = performance.now();
    let undone: string[] = [];
    const phases: Record<string, number> = {};
    const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
      const began = performance.now();
      try {
        return await work();
      } finally {
        phases[phase] = (phases[phase] ?? 0) + performance.now() - began;
      }
    };
    try {
      const before = await timed('look', () => lookAtLab(lab));
      await timed('apply', () => labApplyFaults(lab, [fault]));
      const outcome = await timed('run', () => cucumber.run(paths));
      await timed('undo', () => labUndoFaults(lab));
      undone = differences(before, await timed('look', () => lookAtLab(lab)));
      await send({ kind: 'outcome', topology: job.topology, fault, ...outcome, undo: undone, ms: performance.now() - started, phases });
    } catch (error) {
      await send({
        kind: 'outcome',
        topology: job.topology,
        fault,
        results: [],
        diagnoses: [],
        error: `${(error as Error).message.split('\n')[0]}`,
      });
      undone = ['the fault could not be run and undone'];
    }
    // A lab not back to clean would spoil the next fault's verdicts: start the next one afresh.
    if (undone.length) await freshLab(job.topology, lab);
  }
}

async function work(order: WorkerOrder): Promise<void> {
  const cucumber = await InProcessCucumber.load();
  try {
    for (const job of order.jobs) {
      if (ending) break;
      await runJob(cucumber, job, order.labBase);
      await labDown(labNameFor(order.labBase, job.topology));
      labs.delete(labNameFor(order.labBase, job.topology));
    }
  } finally {
    await takeDownLabs();
    labs.clear();
  }
  await send({ kind: 'done' });
}

async function stop(): Promise<void> {
  if (ending) return;
  ending = true;
  await takeDownLabs();
  // A scenario still running may have created a pod while the first sweep ran: sweep again.
  await takeDownLabs();
  process.exit(1);
}

process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.once('message', (order: WorkerOrder) => {
  work(order).then(
    () => process.disconnect(),
    async (error: Error) => {
      await send({ kind: 'failed', message: error.stack ?? error.message });
      process.disconnect();
    },
  );
});
