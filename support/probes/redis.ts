/** redis-cli in a pod, as lesson 11 runs it against the StatefulSet's pods by their DNS names. */
import type { Cluster, ExecTarget } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import { parseRedisReplication, type RedisReplication } from './parse/redis-info.ts';
import type { Observation } from './observation.ts';

/** What redis-cli printed (a reply, or an error it reports on stdout with exit 0). */
export async function redisCommand(cluster: Cluster, client: ExecTarget, host: string, command: string[]): Promise<Observation<string>> {
  return runProbe(cluster, client, ['redis-cli', '-h', host, ...command], (stdout) => stdout.trim(), { acceptExitCodes: [0, 1], timeoutMs: 15_000 });
}

export async function redisReplication(cluster: Cluster, client: ExecTarget, host: string): Promise<Observation<RedisReplication>> {
  return runProbe(cluster, client, ['redis-cli', '-h', host, 'info', 'replication'], parseRedisReplication, { timeoutMs: 15_000 });
}
