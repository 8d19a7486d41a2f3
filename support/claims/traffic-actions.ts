/** The When side of traffic claims: send pings, optionally under a capture, and keep what was seen. */
import type { Cluster, PodInfo } from '../cluster/cluster.ts';
import { captureDuring } from '../probes/capture.ts';
import { ping } from '../probes/ping.ts';
import { podTarget } from '../subjects.ts';
import type { CaptureSeen, PingSeen } from '../world.ts';

const CAPTURE_FILTER = ['icmp'];

export async function pingPod(cluster: Cluster, from: PodInfo, to: PodInfo, count: number): Promise<PingSeen> {
  return { from, to, count, observation: await ping(cluster, podTarget(from), to.ip as string, count) };
}

export async function pingPodUnderCapture(cluster: Cluster, from: PodInfo, to: PodInfo, count: number, on: PodInfo): Promise<CaptureSeen> {
  const observation = await captureDuring(cluster, podTarget(on), CAPTURE_FILTER, () => ping(cluster, podTarget(from), to.ip as string, count));
  return { on, ping: { from, to, count, observation: observation.value.during }, observation };
}
