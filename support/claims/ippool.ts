/** L06-04: the IPPool resource as the API holds it (what `kubectl get ippools -o yaml` shows). */
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';

function shown(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

/** Every `field → value` of the table holds of the pool's spec; a `label <key>` row checks a label. */
export async function ipPoolReads(cluster: Cluster, name: string, expected: Record<string, string>): Promise<Verdict> {
  const pools = await cluster.ipPools();
  const pool = pools.find((candidate) => candidate.name === name);
  if (!pool?.resource)
    return verdict(
      false,
      `an IPPool named ${name} with its resource`,
      pool ? 'the target does not show the resource' : `pools: ${list(pools.map((candidate) => candidate.name))}`,
      [],
      [listing('ippools', pools)],
    );
  const resource = pool.resource;
  const rows = Object.entries(expected).map(([field, value]) => {
    const label = /^label (.+)$/.exec(field)?.[1];
    const seen = label ? resource.labels[label] : shown(resource.spec[field]);
    return { field, value, seen: seen ?? '(absent)', ok: seen === value };
  });
  return verdict(
    rows.every((row) => row.ok),
    `IPPool ${name} to read ${rows.map((row) => `${row.field}: ${row.value}`).join('; ')}`,
    rows.map((row) => `${row.field}: ${row.seen}${row.ok ? '' : ' ✗'}`).join('; '),
    [],
    [listing(`ippool-${name}`, resource)],
  );
}
