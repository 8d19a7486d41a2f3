/**
 * iperf3 (Debian's) in the pods the course runs networkstatic/iperf3 in with `iperf3 -s`
 * (lesson 12's iperf-server and iperf-server-qos: their container is named iperf-server). It
 * daemonizes inside the pod's network namespace, writes its PID to the pod's server directory
 * and ends with the lab's teardown, by PID, like every process in the lab's namespaces.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { run, runChecked } from '../../exec/run.ts';
import type { LabPod } from '../model.ts';

export const IPERF_PORT = 5201;
const IPERF_CONTAINER = 'iperf-server';

/** The course's server pods: their container is iperf-server; a pod recreated after a scenario deleted it is known by its app label. */
export function runsIperfServer(pod: Pick<LabPod, 'containers' | 'hostNetwork' | 'labels'>): boolean {
  return !pod.hostNetwork && (pod.containers.includes(IPERF_CONTAINER) || /^iperf-server(-qos)?$/.test(pod.labels.app ?? ''));
}

/** Starts `iperf3 -s` in the pod; resolves once it listens on 5201 (a bounded wait that ends when the socket is there). */
export async function startIperfServer(pod: LabPod, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const where = `pod ${pod.namespace}/${pod.name}`;
  await runChecked(
    [
      'ip',
      'netns',
      'exec',
      pod.netns,
      'iperf3',
      '-s',
      '-D',
      '-p',
      String(IPERF_PORT),
      '-I',
      join(dir, 'iperf3.pid'),
      '--logfile',
      join(dir, 'iperf3.log'),
    ],
    { where },
  );
  const deadline = Date.now() + 5_000;
  for (;;) {
    const listening = await run(['ip', 'netns', 'exec', pod.netns, 'ss', '-Hltn', `sport = :${IPERF_PORT}`], { where });
    if (listening.stdout.trim()) return;
    if (Date.now() > deadline)
      throw new Error(`iperf3 in ${where} does not listen on ${IPERF_PORT} after 5 s (see ${join(dir, 'iperf3.log')})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
