/**
 * `redis-cli INFO replication` (and any INFO section): `# Section` headers and `key:value`
 * lines; the `slaveN:` values of a master are themselves `k=v,k=v` lists.
 */
import { ParseError } from './errors.ts';

export interface ReplicaLine {
  ip: string;
  port: number;
  state: string;
  offset: number;
  lag: number;
}

export interface RedisReplication {
  role: string;
  fields: Record<string, string>;
  /** A master's connected replicas, `slave0`, `slave1`, … in order. */
  replicas: ReplicaLine[];
}

export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ParseError('parseRedisInfo', 'a line that is not "key:value"', line, index + 1);
    fields[line.slice(0, colon)] = line.slice(colon + 1);
  });
  return fields;
}

export function parseReplicaLine(value: string): ReplicaLine {
  const parts = Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string]));
  if (parts.ip === undefined || parts.state === undefined)
    throw new ParseError('parseReplicaLine', 'a slave line without ip= or state=', value);
  return { ip: parts.ip, port: Number(parts.port), state: parts.state, offset: Number(parts.offset), lag: Number(parts.lag) };
}

export function parseRedisReplication(text: string): RedisReplication {
  const fields = parseRedisInfo(text);
  if (!fields.role) throw new ParseError('parseRedisReplication', 'no role: line (is this INFO replication?)', text);
  const replicas = Object.keys(fields)
    .filter((key) => /^slave\d+$/.test(key))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((key) => parseReplicaLine(fields[key] as string));
  return { role: fields.role, fields, replicas };
}
