import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError } from '../../support/parse/errors.ts';

const OUTPUTS = new URL('../fixtures/outputs/', import.meta.url);

/** A captured command output from test/fixtures/outputs (see the README there for provenance). */
export function fixture(name: string): string {
  return readFileSync(new URL(name, OUTPUTS), 'utf8');
}

/** Asserts that `fn` throws a ParseError whose message matches every pattern given. */
export function assertParseError(fn: () => unknown, ...patterns: RegExp[]): ParseError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ParseError, `expected a ParseError, got ${String(caught)}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

/** Drops the given keys (used where text and JSON legitimately differ). */
export function without<T extends object>(items: T[], ...keys: string[]): Partial<T>[] {
  return items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k))) as Partial<T>);
}
