/** Two containers of one pod talking over 127.0.0.1: a listener in one, a connection attempt from the other. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { podTarget } from '../subjects.ts';
import { NC_LISTENING, ncConnectArgv, ncListenArgv } from './netcat.ts';
import type { Observation } from './observation.ts';

export const LOCALHOST_PORT = 18081;

export interface LocalhostConnection {
  connected: boolean;
  /** What the client said when it could not connect. */
  said: string;
}

/** A server (`nc -l`) in container `server`, a client (`nc -z`) in container `client`, in forms every nc flavour reads alike (netcat.ts); the listener is always stopped. */
export async function connectOverLocalhost(
  cluster: Cluster,
  pod: PodInfo,
  client: string,
  server: string,
): Promise<Observation<LocalhostConnection>> {
  const listener = await cluster.startBackground(podTarget(pod, server), ncListenArgv('127.0.0.1', LOCALHOST_PORT), {
    readyPattern: NC_LISTENING,
    readyTimeoutMs: 5_000,
    timeoutMs: 30_000,
  });
  const connecting = cluster.exec(podTarget(pod, client), ncConnectArgv('127.0.0.1', LOCALHOST_PORT, 2), { timeoutMs: 10_000 });
  const [attempt] = await Promise.allSettled([connecting]);
  const served = await listener.stop();
  if (attempt.status === 'rejected') throw attempt.reason;
  const connect = attempt.value;
  const said = (connect.stderr || connect.stdout).trim() || `exit ${connect.exitCode}`;
  return { value: { connected: connect.exitCode === 0, said }, evidence: [served, connect] };
}
