/**
 * A packet capture around an action: tcpdump starts, the action runs only once it says it
 * is listening, then the capture is stopped and read, its packets kept as a .pcap file.
 */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Packet } from '../parse/tcpdump.ts';
import type { Observation } from './observation.ts';
import { startPcap, startRawPcap, type PcapCapture } from './pcap.ts';
import type { CapturePoint } from './host-side.ts';

export interface Capture<T> {
  packets: Packet[];
  /** What the action itself observed (a ping's replies). */
  during: Observation<T>;
}

export interface RawCapture<T> {
  /** What `tcpdump -r` printed, with the read options asked for. */
  text: string;
  during: Observation<T>;
}

export async function captureDuring<T>(
  cluster: Cluster,
  on: ExecTarget,
  filter: string[],
  label: string,
  action: () => Promise<Observation<T>>,
  iface = 'eth0',
): Promise<Observation<Capture<T>>> {
  const seen = await around(await startPcap(cluster, on, filter, label, { iface }), action);
  return { ...seen, value: { packets: seen.value.seen, during: seen.value.during } };
}

/** A capture on `iface`, read back with `readOptions` (`-vv`: every header, nested ones too) as text for the caller's parser. */
export async function rawCaptureDuring<T>(
  cluster: Cluster,
  on: ExecTarget,
  iface: string,
  filter: string[],
  readOptions: string[],
  label: string,
  action: () => Promise<Observation<T>>,
): Promise<Observation<RawCapture<T>>> {
  const seen = await around(await startRawPcap(cluster, on, filter, label, { iface, readOptions }), action);
  return { ...seen, value: { text: seen.value.seen, during: seen.value.during } };
}

async function around<P, T>(
  capture: PcapCapture<P>,
  action: () => Promise<Observation<T>>,
): Promise<Observation<{ seen: P; during: Observation<T> }>> {
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
  return {
    value: { seen: seen.value, during },
    evidence: [...seen.evidence, ...during.evidence],
    files: [...(seen.files ?? []), ...(during.files ?? [])],
  };
}

/**
 * One capture on each target, all listening during the one action: each capture runs around the
 * next, the action inside the last. The packets come back in the targets' order; the evidence
 * holds every capture's and the action's.
 */
export async function captureEachDuring<T>(
  cluster: Cluster,
  on: Array<ExecTarget | CapturePoint>,
  filter: string[],
  label: (target: ExecTarget, index: number) => string,
  action: () => Promise<Observation<T>>,
  iface = 'eth0',
): Promise<Observation<{ packets: Packet[][]; during: Observation<T> }>> {
  const first = on[0];
  if (!first) {
    const during = await action();
    return { value: { packets: [], during }, evidence: during.evidence };
  }
  // A capture point names its own interface; a bare target listens on `iface`.
  const point = 'iface' in first ? first : { target: first, iface };
  const seen = await captureDuring(
    cluster,
    point.target,
    filter,
    label(point.target, 0),
    () => captureEachDuring(cluster, on.slice(1), filter, (next, index) => label(next, index + 1), action, iface),
    point.iface,
  );
  const inner = seen.value.during;
  return {
    value: { packets: [seen.value.packets, ...inner.value.packets], during: inner.value.during },
    evidence: [...seen.evidence, ...inner.evidence],
  };
}
