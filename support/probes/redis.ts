/**
 * redis-cli in a pod, as lesson 11 runs it against the StatefulSet's pods by their DNS names.
 * redis-cli that cannot reach its server (a name that does not resolve, a refused connection)
 * exits 1 and says why on stderr: that is a finding about the network, returned as such.
 */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { probeFailure } from './commands.ts';
import { parseRedisReplication, type RedisReplication } from '../parse/redis-info.ts';
import type { Observation } from './observation.ts';

export type RedisReply<T> = { ok: true; value: T } | { ok: false; error: string };

async function redisCli<T>(
  cluster: Cluster,
  client: ExecTarget,
  host: string,
  command: string[],
  parse: (stdout: string) => T,
): Promise<Observation<RedisReply<T>>> {
  // glibc's resolver waits 5 s a try by default; RES_OPTIONS bounds it (musl, in the multitool image, ignores it).
  const result = await cluster.exec(client, ['env', 'RES_OPTIONS=timeout:1 attempts:1', 'redis-cli', '-h', host, ...command], {
    timeoutMs: 20_000,
  });
  if (result.exitCode === 0) return { value: { ok: true, value: parse(result.stdout) }, evidence: [result] };
  if (
    result.exitCode === 1 &&
    /Could not connect|Name or service not known|Connection refused|Temporary failure/i.test(result.stderr + result.stdout)
  ) {
    return { value: { ok: false, error: (result.stderr || result.stdout).trim() }, evidence: [result] };
  }
  throw probeFailure(result);
}

/** What redis-cli printed (a reply, or a server error it prints on stdout with exit 0). */
export function redisCommand(
  cluster: Cluster,
  client: ExecTarget,
  host: string,
  command: string[],
): Promise<Observation<RedisReply<string>>> {
  return redisCli(cluster, client, host, command, (stdout) => stdout.trim());
}

export function redisReplication(cluster: Cluster, client: ExecTarget, host: string): Promise<Observation<RedisReply<RedisReplication>>> {
  return redisCli(cluster, client, host, ['info', 'replication'], parseRedisReplication);
}

export function replyText(reply: RedisReply<string>): string {
  return reply.ok ? reply.value || '(nothing)' : reply.error;
}
