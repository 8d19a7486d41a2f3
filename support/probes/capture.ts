/**
 * A packet capture around an action: tcpdump starts, the action runs only once it says it
 * is listening, then the capture is stopped and read, its packets kept as a .pcap file.
 */
import type { Cluster, ExecTarget } from '../cluster/cluster.ts';
import type { Packet } from './parse/tcpdump.ts';
import type { Observation } from './observation.ts';
import { startPcap } from './pcap.ts';

export interface Capture<T> {
  packets: Packet[];
  /** What the action itself observed (a ping's replies). */
  during: Observation<T>;
}

export async function captureDuring<T>(cluster: Cluster, on: ExecTarget, filter: string[], label: string, action: () => Promise<Observation<T>>): Promise<Observation<Capture<T>>> {
  const capture = await startPcap(cluster, on, filter, label);
  let during: Observation<T>;
  try {
    during = await action();
    // The last reply may still be on its way into the capture; tcpdump writes it out on SIGINT.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } catch (error) {
    await capture.stop().catch(() => undefined);
    throw error;
  }
  const seen = await capture.stop();
  return { value: { packets: seen.value, during }, evidence: [...seen.evidence, ...during.evidence], files: [...(seen.files ?? []), ...(during.files ?? [])] };
}
