/**
 * Drops keys whose value is undefined, so that an absent field is absent (not `key: undefined`)
 * and results from the text and JSON forms compare equal with deepStrictEqual.
 */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
