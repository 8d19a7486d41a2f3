/**
 * The one way the suite puts back what it changed: restorers, each naming what it undoes, run
 * last first, every one of them even when an earlier one fails. A scenario's restorers run in
 * its After hook; a change too dear to make and unmake per scenario (WireGuard on every node)
 * is kept for the run, and put back by the same code when the run ends.
 */
import type { KeepUndo } from './domain.ts';

export interface Restorer {
  what: string;
  undo: () => Promise<void>;
}

/**
 * Adds an undo to `restorers`, unless one for the same thing (`what`) is kept already: that first
 * one puts the thing back as it was before any change, so a later one has nothing to add (a label
 * a scenario added and then removed again is put back once, not twice).
 */
export function keep(restorers: Restorer[], restorer: Restorer): void {
  if (!restorers.some((kept) => kept.what === restorer.what)) restorers.push(restorer);
}

/** Runs and empties `restorers`, last first; throws with every undo that failed, saying whose changes they were. */
export async function putBack(restorers: Restorer[], whose: string): Promise<void> {
  const failures: string[] = [];
  for (const change of restorers.splice(0).reverse()) {
    await change.undo().catch((error: Error) => failures.push(`${change.what}: ${error.message}`));
  }
  if (failures.length) throw new Error(`could not put back what ${whose} changed: ${failures.join('; ')}`);
}

/** What scenarios changed for the whole run, put back when it ends (`putBackRunChanges`). */
const runRestorers: Restorer[] = [];

/** Keeps an undo until the run ends, not the scenario. */
export const keepUndoForRun: KeepUndo = (what, undo) => keep(runRestorers, { what, undo });

export function putBackRunChanges(): Promise<void> {
  return putBack(runRestorers, 'the run');
}
