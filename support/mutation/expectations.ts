/**
 * The mutation table: for each fault of the embedded lab, the claims whose scenarios it must
 * fail and a piece of each failure message. Every other scenario must pass under that fault.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/** fault → claim ID → a substring the failure message must contain ("" for any message). */
export type Expectations = Map<string, Map<string, string>>;

export const EXPECTATIONS_FILE = resolve(import.meta.dirname, '../../test/mutation/expected-failures.yaml');

export function loadExpectations(file = EXPECTATIONS_FILE): Expectations {
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string | null>>;
  return new Map(
    Object.entries(raw).map(([fault, claims]) => [
      fault,
      new Map(Object.entries(claims ?? {}).map(([claim, message]) => [claim, message ?? ''])),
    ]),
  );
}
