/**
 * What a learner runs for lesson 12: `tc` on the pod's node, `ip link` for the IFB devices,
 * and iperf3 in the client pod.
 */
import type { ExecResult, ExecTarget, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseIperfClientJson, type IperfReport } from '../parse/iperf3.ts';
import { parseIfbDevices, parseTcFilters, parseTcQdiscs, type Filter, type IfbDevice, type Qdisc } from '../parse/tc.ts';
import { askUntil, waitUntil } from '../eventually.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

export function qdiscsOf(cluster: Cluster, node: ExecTarget, dev: string, stats = false): Promise<Observation<Qdisc[]>> {
  return runProbe(cluster, node, ['tc', '-j', ...(stats ? ['-s'] : []), 'qdisc', 'show', 'dev', dev], parseTcQdiscs);
}

export function ingressFiltersOf(cluster: Cluster, node: ExecTarget, dev: string): Promise<Observation<Filter[]>> {
  return runProbe(cluster, node, ['tc', '-j', 'filter', 'show', 'dev', dev, 'ingress'], parseTcFilters);
}

export function ifbDevices(cluster: Cluster, node: ExecTarget): Promise<Observation<IfbDevice[]>> {
  return runProbe(cluster, node, ['ip', '-j', 'link', 'show', 'type', 'ifb'], parseIfbDevices);
}

/** How long a run that failed for a passing reason is tried again; every attempt is in the evidence. */
const RETRY_WINDOW_MS = 10_000;

/**
 * The errors a learner meets once and gets past by running iperf3 again, as the last attempt shows when they last:
 * - "the server is busy": the server is still closing the previous test;
 * - "unable to connect to server": iperf3 3.12's server closes its listening socket when a test ends and opens a
 *   new one for the next (cleanup_server, then iperf_server_listen in iperf_run_server), so a connect in between
 *   is refused; and a name lookup that failed ends the same way. The text after the colon is strerror(errno) read
 *   after the client's cleanup, so it may not be the connect's or the lookup's own error (once "Resource
 *   temporarily unavailable", the errno a resolver's non-blocking read leaves).
 * A Service that does not forward, or a wrong port, fails every attempt and is reported with the last one.
 */
function passing(error: string | undefined): boolean {
  return /busy|unable to connect to server/.test(error ?? '');
}

/**
 * `iperf3 -c <server> -t <seconds> -w 64K -J --get-server-output` in the client pod. The socket
 * buffer keeps what waits in the shaper's queue small, so the run ends soon after its window
 * instead of draining a deep queue at the shaped rate. iperf3 exits 1 on its own errors and
 * says which in the JSON: that is the test's outcome, read from the report.
 */
export async function iperf3(
  cluster: Cluster,
  client: PodInfo,
  server: string,
  seconds: number,
  retryWindowMs = RETRY_WINDOW_MS,
): Promise<Observation<IperfReport>> {
  const evidence: ExecResult[] = [];
  const { answer } = await askUntil(
    async () => {
      const run = await runProbe(
        cluster,
        podTarget(client),
        ['iperf3', '-c', server, '-t', String(seconds), '-w', '64K', '-J', '--get-server-output'],
        parseIperfClientJson,
        { timeoutMs: (seconds + 20) * 1000, acceptExitCodes: [0, 1] },
      );
      evidence.push(...run.evidence);
      return run.value;
    },
    (report) => !passing(report.error),
    { withinMs: retryWindowMs, everyMs: 100 },
  );
  return { value: answer, evidence };
}

/**
 * Empties the token buckets on the way from `client` to `server`: a new tbf starts full (Felix's
 * default burst is 4 Gi bits, hundreds of megabytes), and the course skips the first seconds of
 * its 30-second run for it. iperf3 runs until a tbf on the path counts overlimits (it has
 * started holding packets back), then it is stopped: a bounded wait that ends when the shapers
 * say so, whatever the machine's speed.
 */
export async function drainBuckets(
  cluster: Cluster,
  client: PodInfo,
  server: string,
  shapers: { node: string; dev: string }[],
): Promise<void> {
  const stats = async () =>
    Promise.all(
      shapers.map(async (shaper) => {
        const seen = await qdiscsOf(cluster, nodeTarget(shaper.node), shaper.dev, true);
        return seen.value.find((qdisc) => qdisc.root && qdisc.kind === 'tbf')?.stats;
      }),
    );
  const before = await stats();
  // The kernel's own window (no -w): the burst goes through at the line's rate, however busy the machine.
  const load = await cluster.startBackground(podTarget(client), ['iperf3', '-c', server, '-t', '120', '-i', '1', '--forceflush'], {
    readyPattern: /connected to/,
    readyTimeoutMs: 10_000,
    timeoutMs: 130_000,
  });
  const devices = shapers.map((shaper) => shaper.dev).join(', ');
  try {
    // Traffic meets the shapers one after another at the same rate: once the first holds packets back, the
    // ones after it see no more than the rate and never need to, their buckets as empty as its.
    await waitUntil(
      `the token buckets of ${devices} to empty under iperf3`,
      async () => {
        const now = await stats();
        return now.some((seen, index) => (seen?.overlimits ?? 0) > (before[index]?.overlimits ?? 0))
          ? { done: true, value: undefined }
          : { done: false, seen: `overlimits ${now.map((seen) => seen?.overlimits ?? 'none').join(', ')}` };
      },
      { withinMs: 120_000, everyMs: 50 },
    );
  } finally {
    await load.stop();
  }
  // What the stopped run left queued goes out at the shaped rate; the measurement starts once the queues are empty.
  await waitUntil(
    `the queues of ${devices} to empty`,
    async () => {
      const now = await stats();
      return now.every((seen) => (seen?.qlen ?? 0) === 0)
        ? { done: true, value: undefined }
        : { done: false, seen: `qlen ${now.map((seen) => seen?.qlen ?? 'none').join(', ')}` };
    },
    { withinMs: 30_000, everyMs: 50 },
  );
}

/** The devices among `candidates` that have a root tbf (a device that is not there has none). */
export async function qdiscsShaped(
  cluster: Cluster,
  candidates: { node: string; dev: string }[],
): Promise<{ node: string; dev: string }[]> {
  const shaped: { node: string; dev: string }[] = [];
  for (const candidate of candidates) {
    const result = await cluster.exec(nodeTarget(candidate.node), ['tc', '-j', 'qdisc', 'show', 'dev', candidate.dev], {
      timeoutMs: 10_000,
    });
    if (result.exitCode === 0 && parseTcQdiscs(result.stdout).some((qdisc) => qdisc.root && qdisc.kind === 'tbf')) shaped.push(candidate);
  }
  return shaped;
}
