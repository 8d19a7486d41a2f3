/**
 * What the matrix runner and its workers say to each other over the IPC channel: the runner
 * names the worker's labs, the worker asks for work, the runner hands out one unit at a time
 * from its queue (support/mutation/plan.ts) until none is left.
 */
import type { ScenarioResult } from '../run/summary.ts';
import type { MatrixUnit } from './plan.ts';

/** Runner → worker. */
export type RunnerMessage =
  /** The first message: the worker's labs are named labNameFor(labBase, topology). */
  | { kind: 'start'; labBase: string }
  | { kind: 'unit'; unit: MatrixUnit }
  /** Nothing left for this worker: it takes its lab down and says done. */
  | { kind: 'finish' };

/** Worker → runner. */
export type WorkerMessage =
  /** Ready for a unit (once the support code is loaded, and after each outcome). */
  | { kind: 'ready' }
  | {
      kind: 'outcome';
      topology: string;
      /** Absent for the clean lab. */
      fault?: string;
      results: ScenarioResult[];
      diagnoses: string[];
      /** What was not back to clean once the fault was undone (empty when all was). */
      undo?: string[];
      /** The run could not happen. */
      error?: string;
      ms?: number;
      /** Where a fault's time went: look (the clean checks), apply, run, undo; in ms. */
      phases?: Record<string, number>;
    }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };
