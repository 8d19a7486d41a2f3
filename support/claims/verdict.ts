import type { ExecResult } from '../domain.ts';
import type { Verdict } from '../evidence.ts';

export function verdict(
  ok: boolean,
  expected: string,
  observed: string,
  evidence: ExecResult[] = [],
  details?: Verdict['details'],
): Verdict {
  return { ok, expected, observed, evidence, ...(details ? { details } : {}) };
}

export function list(values: readonly (string | number)[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

export function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item)) && b.every((item) => a.includes(item));
}

/** What the cluster's API answered, attached to a verdict that rests on it rather than on a command. */
export function listing(name: string, value: unknown): NonNullable<Verdict['details']>[number] {
  return { fileName: `${name}.json`, mediaType: 'application/json', body: JSON.stringify(value, null, 2) };
}
