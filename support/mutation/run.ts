/**
 * Runs the lesson features against the clean embedded lab and against each fault, each run in
 * its own lab and reports folder, two at a time (the machine has two cores). A fault breaks
 * the labs of its own topologies only, so under a fault only the features of those topologies
 * run: the others meet a lab the fault never touched, exactly as in the clean run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { readResults } from '../run/summary.ts';
import type { FaultOutcome } from './compare.ts';
import { findFault, faultTopologies } from '../lab/faults/faults.ts';
import { featuresOfTopologies } from '../topology/features.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export async function runUnderFault(fault: string | undefined, labName: string, extraArgs: string[] = []): Promise<FaultOutcome> {
  const reports = mkdtempSync(join(tmpdir(), 'podnet-mutation-'));
  try {
    const args = [
      '--import',
      'tsx',
      join(ROOT, 'bin/e2e.ts'),
      '--target',
      'netns',
      '--no-report',
      '--lab',
      labName,
      ...(fault ? ['--fault', fault] : []),
      ...extraArgs,
    ];
    const result = await execa(process.execPath, args, {
      cwd: ROOT,
      reject: false,
      env: { PODNET_REPORTS_DIR: reports },
      all: true,
      timeout: 900_000,
    });
    const results = readResults(join(reports, 'allure-results'));
    if (results.length === 0)
      return {
        fault,
        results,
        error: `no results (exit ${result.exitCode}): ${String(result.all).trim().split('\n').slice(-3).join(' / ')}`,
      };
    return { fault, results };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
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

export async function runAll(
  faults: string[],
  concurrency = 2,
  onDone: (outcome: FaultOutcome) => void = () => {},
): Promise<{ clean: FaultOutcome; faulted: FaultOutcome[] }> {
  await clearOrphanedMatrixLabs();
  const jobs: (string | undefined)[] = [undefined, ...faults];
  const outcomes = new Array<FaultOutcome>(jobs.length);
  let next = 0;
  const worker = async (slot: number) => {
    while (next < jobs.length) {
      const index = next++;
      // Lab names unique to this process: a second matrix run at the same time keeps to its own labs.
      const fault = jobs[index];
      const scope = fault === undefined ? [] : featuresOfTopologies(faultTopologies(findFault(fault)));
      outcomes[index] = await runUnderFault(fault, `pnmut${process.pid}s${slot}`, scope);
      onDone(outcomes[index] as FaultOutcome);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  return { clean: outcomes[0] as FaultOutcome, faulted: outcomes.slice(1) };
}
