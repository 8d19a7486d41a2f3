/** Echo requests from a pod, with every reply's TTL. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parsePing, type PingResult } from '../parse/ping.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export const PING_INTERVAL_S = 0.2;
const REPLY_WAIT_S = 1;

/** Sends `count` echo requests; an unanswered ping is data (exit 1), not a probe failure. */
export async function ping(cluster: Cluster, from: ExecTarget, to: string, count: number): Promise<Observation<PingResult>> {
  const argv = ['ping', '-n', '-c', String(count), '-i', String(PING_INTERVAL_S), '-W', String(REPLY_WAIT_S), to];
  const timeoutMs = Math.ceil((count * PING_INTERVAL_S + REPLY_WAIT_S) * 1000) + 5_000;
  return runProbe(cluster, from, argv, parsePing, { timeoutMs, acceptExitCodes: [0, 1] });
}

/**
 * `ping -s <size> -M do`: echo requests of `size` data bytes that may not be fragmented. The
 * kernel's refusal (`ping: local error: message too long, mtu=…`) is on stderr, so both
 * streams are read; an unanswered ping is data, not a probe failure.
 */
export async function pingDontFragment(
  cluster: Cluster,
  from: ExecTarget,
  to: string,
  count: number,
  size: number,
): Promise<Observation<PingResult>> {
  const argv = [
    'ping',
    '-n',
    '-c',
    String(count),
    '-i',
    String(PING_INTERVAL_S),
    '-W',
    String(REPLY_WAIT_S),
    '-s',
    String(size),
    '-M',
    'do',
    to,
  ];
  const timeoutMs = Math.ceil((count * PING_INTERVAL_S + REPLY_WAIT_S) * 1000) + 5_000;
  return runProbe(cluster, from, argv, parsePing, { timeoutMs, acceptExitCodes: [0, 1], withStderr: true });
}
