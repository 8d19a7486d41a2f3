/** What the matrix runner and its workers say to each other over the IPC channel. */
import type { ScenarioResult } from '../run/summary.ts';
import type { MatrixJob } from './plan.ts';

export interface WorkerOrder {
  /** The worker's labs are named labNameFor(labBase, topology). */
  labBase: string;
  jobs: MatrixJob[];
}

export type WorkerMessage =
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
