/**
 * A packet capture around an action: tcpdump starts, the capture begins only once it says it
 * is listening, the action runs, then the capture is stopped and read. Bounded throughout.
 */
import type { Cluster, ExecTarget } from '../cluster/cluster.ts';
import { parseTcpdump, type Packet } from './parse/tcpdump.ts';
import type { Observation } from './observation.ts';

const LISTENING = /listening on/;

export interface Capture<T> {
  packets: Packet[];
  /** What the action itself observed (a ping's replies). */
  during: Observation<T>;
}

export async function captureDuring<T>(
  cluster: Cluster,
  on: ExecTarget,
  filter: string[],
  action: () => Promise<Observation<T>>,
  iface = 'eth0',
): Promise<Observation<Capture<T>>> {
  const { value, evidence } = await rawCaptureDuring(cluster, on, ['-i', iface, ...filter], action);
  return { value: { packets: parseTcpdump(value.text), during: value.during }, evidence };
}

export interface RawCapture<T> {
  /** tcpdump's stdout. */
  text: string;
  during: Observation<T>;
}

/** `tcpdump -n` with the given options (interface, verbosity, filter) around an action; the output for a parser of the caller's choice. */
export async function rawCaptureDuring<T>(cluster: Cluster, on: ExecTarget, options: string[], action: () => Promise<Observation<T>>): Promise<Observation<RawCapture<T>>> {
  // --immediate-mode: hand every packet over as it comes, so none waits in a buffer when the capture stops.
  const argv = ['tcpdump', '-n', '-l', '--immediate-mode', ...options];
  const tcpdump = await cluster.startBackground(on, argv, { readyPattern: LISTENING, readyTimeoutMs: 10_000, timeoutMs: 60_000 });
  let during: Observation<T>;
  try {
    during = await action();
    // The last reply may still be on its way into the capture buffer; tcpdump flushes on SIGINT.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } catch (error) {
    await tcpdump.stop();
    throw error;
  }
  const capture = await tcpdump.stop();
  return { value: { text: capture.stdout, during }, evidence: [capture, ...during.evidence] };
}
