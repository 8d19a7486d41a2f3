/**
 * Waiting for the network to settle, written once. `eventually` asks a check again until it
 * holds or its window closes and returns the last verdict, evidence and all; `waitUntil` does the
 * same for an action that needs a state before it can go on (a pod Ready again), and throws an
 * EnvironmentError that carries the last thing it saw. Both ask through `askUntil`, which a
 * probe that retries (iperf3 while its server is busy) uses too.
 *
 * The window is the claim's: "within 35 s" is the course's bound on a real cluster, where
 * CoreDNS's cache, kube-proxy's sync period and redis's reconnect take their time. A target may
 * know that it settles sooner: the embedded lab's controllers, kube-proxy and DNS server act
 * when the change is made, so what has not happened by its settle bound will not happen
 * (`Cluster.settlesWithinMs`). There the wait ends at that bound, and the verdict says so.
 */
import { EnvironmentError } from './domain.ts';
import type { Verdict } from './evidence.ts';
import { pauses } from './pacing.ts';

export { pauses } from './pacing.ts';

export interface Window {
  /** The claim's bound, in ms. */
  withinMs: number;
  /** How long to pause after the first look, in ms; the pauses then grow (`pauses`). */
  everyMs: number;
  /** The target's own bound, when it knows one (the lab's); the wait ends at the sooner of the two. */
  settlesWithinMs?: number | undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to keep looking: the claim's window, or the target's settle bound when that is sooner. */
export function patience(window: Window): { ms: number; cutShort: boolean } {
  const settles = window.settlesWithinMs;
  return settles !== undefined && settles < window.withinMs ? { ms: settles, cutShort: true } : { ms: window.withinMs, cutShort: false };
}

/**
 * Asks `look` until what it returns has `settled`, or the window closes; returns the first
 * settled answer, or the last one seen and whether the wait was cut short at the target's bound.
 */
export async function askUntil<T>(
  look: () => Promise<T>,
  settled: (answer: T) => boolean,
  window: Window,
): Promise<{ answer: T; settled: boolean; cutShortAfterMs?: number }> {
  const { ms, cutShort } = patience(window);
  const waits = pauses(window.everyMs, Date.now() + ms);
  for (;;) {
    const answer = await look();
    if (settled(answer)) return { answer, settled: true };
    const wait = waits.next();
    if (wait.done) return cutShort ? { answer, settled: false, cutShortAfterMs: ms } : { answer, settled: false };
    await pause(wait.value);
  }
}

/**
 * Asks `check` until it holds or the window closes; returns the first verdict that holds, or the
 * last one seen. A verdict that failed at the lab's settle bound says that it was asked until then.
 */
export async function eventually(check: () => Promise<Verdict>, window: Window): Promise<Verdict> {
  const { answer, cutShortAfterMs } = await askUntil(check, (verdict) => verdict.ok, window);
  // A target settled when the change returned (a bound of 0) had nothing to wait for: its one answer stands as it is.
  return cutShortAfterMs === undefined || cutShortAfterMs === 0
    ? answer
    : {
        ...answer,
        observed: `${answer.observed} (still so after ${Math.round(cutShortAfterMs / 1000)} s, by when this target has settled)`,
      };
}

/** One look of a `waitUntil`: done with its value, or not yet with a line saying what it saw. */
export type Look<T> = { done: true; value: T } | { done: false; seen: string; fatal?: string };

/**
 * Looks until `look` is done; throws an EnvironmentError naming `what` and the last thing seen
 * when the window closes, or at once when a look reports a state that cannot turn good.
 */
export async function waitUntil<T>(what: string, look: () => Promise<Look<T>>, window: Window & { remedy?: string }): Promise<T> {
  const { answer } = await askUntil(look, (seen) => seen.done || seen.fatal !== undefined, window);
  if (answer.done) return answer.value;
  if (answer.fatal) throw new EnvironmentError(`gave up waiting for ${what}: ${answer.fatal}; last seen: ${answer.seen}`, window.remedy);
  throw new EnvironmentError(
    `timed out after ${Math.round(patience(window).ms / 1000)} s waiting for ${what}; last seen: ${answer.seen}`,
    window.remedy,
  );
}
