/**
 * A bounded poll that remembers what it last saw, so a timeout can say why it timed out.
 */
import { EnvironmentError } from '../cluster.ts';

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
 * Calls `observe` until it reports done, a fatal state, or the deadline passes; the
 * EnvironmentError of a timeout carries the last observation.
 */
export async function pollUntil<T>(options: PollOptions, observe: () => Promise<Observation<T>>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    const o = await observe();
    last = o.seen;
    if (o.done) return o.value as T;
    if (o.fatal) throw new EnvironmentError(`gave up waiting for ${options.what}: ${o.fatal}; last seen: ${last}`, options.remedy);
    if (Date.now() + options.intervalMs > deadline) break;
    await sleep(options.intervalMs);
  }
  throw new EnvironmentError(
    `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}; last seen: ${last}`,
    options.remedy,
  );
}
