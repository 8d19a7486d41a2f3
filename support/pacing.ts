/**
 * The pauses between two looks of every wait in the project (the claims' `eventually`, the lab's
 * daemon and BGP waits): the first one asked for, then half as long again each time up to a
 * longest, the last one ending at the deadline so that the last look is at the end of the
 * window. What settles at once is seen at once; what never comes costs a few looks a second
 * (each look may run commands on every node it reads, which a matrix of a hundred faults pays
 * for in CPU). It imports nothing, so that every floor may use it.
 */

/** The longest pause between two looks, unless a wait asks for longer first pauses. */
export const LONGEST_PAUSE_MS = 1_000;

export function* pauses(
  firstMs: number,
  deadline: number,
  now: () => number = Date.now,
  longestMs: number = Math.max(firstMs, LONGEST_PAUSE_MS),
): Generator<number> {
  for (let next = firstMs; ; next = Math.min(next * 1.5, longestMs)) {
    const left = deadline - now();
    if (left <= 0) return;
    yield Math.min(next, left);
  }
}
