/**
 * Where a matrix run's cucumber results go: memory (/dev/shm) where the machine has it.
 * allure-js-commons fsyncs every file it writes, about 400 per run of the default topology; on
 * a disk that costs a worker's main thread most of a second a run and loads the disk for the
 * other workers. A folder is named after the matrix runner's pid, so that the next run can
 * clear what a killed one left.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'podnet-matrix-';

function resultsRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** A fresh folder for one run's results, owned by the matrix run of pid `runnerPid`. */
export function newResultsFolder(runnerPid: number): string {
  return mkdtempSync(join(resultsRoot(), `${PREFIX}${runnerPid}-`));
}

/** Removes the results folders of matrix runs whose runner is no longer alive; returns their names. */
export function clearOrphanedResults(alive: (pid: number) => boolean): string[] {
  const root = resultsRoot();
  const cleared: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    cleared.push(name);
  }
  return cleared;
}
