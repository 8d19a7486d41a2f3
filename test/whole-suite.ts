/**
 * The whole-suite tests (the mutation matrix, fault undo, the cross-target comparison, a
 * diagnosis under every fault) run every feature file many times over: they test the lab and
 * the claims, not the Node version. CI runs them once, on its first Node; the second Node's
 * pass sets PODNET_SKIP_WHOLE_SUITE_TESTS and runs everything else (.ci/run).
 */
const isRoot = process.getuid?.() === 0;

export function wholeSuiteSkip(): string | false {
  if (!isRoot) return 'needs root';
  if (process.env.PODNET_SKIP_WHOLE_SUITE_TESTS)
    return 'whole-suite tests run once per CI run, on its first Node (PODNET_SKIP_WHOLE_SUITE_TESTS is set)';
  return false;
}

/**
 * For a test of the runner's full path, reports included (not many runs over): it runs in the
 * same group as the other files, and CI's second Node skips it, since that pass runs
 * `npm run e2e` over the whole course itself just before (.ci/run).
 */
export function onceInCiSkip(): string | false {
  if (!isRoot) return 'needs root';
  if (process.env.PODNET_SKIP_WHOLE_SUITE_TESTS)
    return "the runner's full path runs once per CI run: the second Node's pass runs npm run e2e over the whole course itself";
  return false;
}
