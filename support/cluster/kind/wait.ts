/**
 * A bounded poll that remembers what it last saw, so a timeout can say why it timed out: the
 * kind adapter's observations (the API's state in a line) over the project's one wait.
 */
import { waitUntil, type Look } from '../../eventually.ts';

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** What is being waited for, for the message: "pod podnet-e2e/x to be Ready". */
  what: string;
  remedy?: string;
}

export interface Observation<T> {
  done: boolean;
  value?: T;
  /** A one-line account of the current state, kept for the timeout message. */
  seen: string;
  /** Give up at once (a state that cannot turn good): the message says why. */
  fatal?: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `observe` until it reports done, a fatal state, or the deadline passes: the project's one
 * wait (support/eventually.ts's waitUntil) in the adapter's words. The EnvironmentError of a
 * timeout carries the last observation. A real cluster has no settle bound: the whole timeout is
 * waited.
 */
export function pollUntil<T>(options: PollOptions, observe: () => Promise<Observation<T>>): Promise<T> {
  return waitUntil(
    options.what,
    async (): Promise<Look<T>> => {
      const seen = await observe();
      if (seen.done) return { done: true, value: seen.value as T };
      return { done: false, seen: seen.seen, ...(seen.fatal === undefined ? {} : { fatal: seen.fatal }) };
    },
    { withinMs: options.timeoutMs, everyMs: options.intervalMs, ...(options.remedy === undefined ? {} : { remedy: options.remedy }) },
  );
}
