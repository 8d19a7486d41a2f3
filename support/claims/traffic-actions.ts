/** The When side of traffic claims: send pings, optionally under a capture, and keep what was seen. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { captureDuring, type Capture } from '../probes/capture.ts';
import type { Observation } from '../probes/observation.ts';
import type { PingResult } from '../parse/ping.ts';
import { ping } from '../probes/ping.ts';
import { podTarget } from '../subjects.ts';

/** A ping a scenario sent, for its Then steps to judge. */
export interface PingSeen {
  from: PodInfo;
  to: PodInfo;
  count: number;
  observation: Observation<PingResult>;
}

/** A ping sent while a pod captured its traffic. */
export interface CaptureSeen {
  on: PodInfo;
  ping: PingSeen;
  observation: Observation<Capture<PingResult>>;
}

const CAPTURE_FILTER = ['icmp'];

export async function pingPod(cluster: Cluster, from: PodInfo, to: PodInfo, count: number): Promise<PingSeen> {
  return { from, to, count, observation: await ping(cluster, podTarget(from), to.ip as string, count) };
}

export async function pingPodUnderCapture(cluster: Cluster, from: PodInfo, to: PodInfo, count: number, on: PodInfo): Promise<CaptureSeen> {
  const observation = await captureDuring(cluster, podTarget(on), CAPTURE_FILTER, on.name, () =>
    ping(cluster, podTarget(from), to.ip as string, count),
  );
  return { on, ping: { from, to, count, observation: observation.value.during }, observation };
}
