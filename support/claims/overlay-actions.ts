/** The When side of the overlay lessons (06, 18): a ping while tcpdump -vv reads a node's link or the router's. */
import type { ExecTarget, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { rawCaptureDuring } from '../probes/capture.ts';
import { parseTcpdumpVerbose } from '../parse/tcpdump-verbose.ts';
import { ping } from '../probes/ping.ts';
import { podTarget } from '../subjects.ts';
import type { WireCapture } from './encapsulation.ts';

/** Pings `count` times while tcpdump -vv listens on `iface` of `target` (IPv4 only: the lab's links also carry IPv6 chatter). */
export async function pingUnderWireCapture(
  cluster: Cluster,
  from: PodInfo,
  to: PodInfo,
  count: number,
  target: ExecTarget,
  iface: string,
  label: string,
  filter: string[] = ['ip'],
): Promise<WireCapture> {
  const observation = await rawCaptureDuring(cluster, target, iface, filter, ['-vv'], label, () =>
    ping(cluster, podTarget(from), to.ip as string, count),
  );
  return {
    label,
    packets: parseTcpdumpVerbose(observation.value.text),
    ping: { from, to, count, observation: observation.value.during },
    evidence: observation.evidence,
    files: observation.files ?? [],
  };
}
