/**
 * `redis-cli INFO [section]`: `# Section` headers, `key:value` lines, a blank line between
 * sections, every line ending in CRLF (server.c genRedisInfoString); the `slaveN:` values of a
 * master are themselves `ip=…,port=…,state=…,offset=…,lag=…` lists (replicationGetSlaveInfo).
 *
 * Checked against redis-server and redis-cli 7.0.15 (`redis-server -v`: v=7.0.15): `info
 * replication` on a master with an online replica and on that replica, `info` (every section,
 * `cmdstat_client|list`-style keys), `info keyspace` empty and not, an unknown section (no output),
 * over IPv4 and IPv6 (fixtures netns-h24c-redis-info-*). What redis-cli prints instead of INFO
 * (`DENIED Redis is running in protected mode …`, `NOAUTH …`, `ERR …`) is refused: such a line
 * may hold a colon (`NOTE: …`) but never a key before it.
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

const SECTION = /^# [A-Z][A-Za-z]*$/;
// Keys are lower-case words, `errorstat_ERR`, `cmdstat_client|list`, `latency_percentiles_usec_config|get`, `db0`.
const FIELD = /^([A-Za-z][\w|.-]*):(.*)$/;

export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line === '' || SECTION.test(line)) return;
    const match = FIELD.exec(line);
    if (!match) throw new ParseError('parseRedisInfo', 'not a "# Section" or "key:value" line of INFO', raw, index + 1);
    const [, key = '', value = ''] = match;
    if (key in fields) throw new ParseError('parseRedisInfo', `"${key}" a second time (two INFO replies in one output?)`, raw, index + 1);
    fields[key] = value;
  });
  return fields;
}

const REPLICA_KEYS = ['ip', 'port', 'state', 'offset', 'lag'];

export function parseReplicaLine(value: string): ReplicaLine {
  const fail = (reason: string): never => {
    throw new ParseError('parseReplicaLine', reason, value);
  };
  const pairs = value.split(',').map((pair) => {
    const eq = pair.indexOf('=');
    return eq > 0 ? ([pair.slice(0, eq), pair.slice(eq + 1)] as const) : fail(`"${pair}" is not key=value`);
  });
  const keys = pairs.map(([key]) => key);
  if (keys.join(',') !== REPLICA_KEYS.join(',')) fail(`a slave line with ${keys.join(',')}, not ${REPLICA_KEYS.join(',')}`);
  const parts = Object.fromEntries(pairs) as Record<string, string>;
  const number = (key: string): number =>
    /^-?\d+$/.test(parts[key] ?? '') ? Number(parts[key]) : fail(`${key} "${parts[key]}" is not a number`);
  return { ip: parts.ip as string, port: number('port'), state: parts.state as string, offset: number('offset'), lag: number('lag') };
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
