// Cucumber profiles. TypeScript is loaded by tsx: `npm run e2e` starts cucumber under
// `node --import tsx`; to call cucumber-js by hand, set NODE_OPTIONS="--import tsx".
const common = {
  paths: ['features/**/*.feature'],
  // Only the files that register something with cucumber; the rest of support/ loads on demand
  // (a glob over support/ would also load the kind target's Kubernetes client on every run).
  import: ['support/world.ts', 'support/parameter-types.ts', 'support/hooks.ts', 'steps/**/*.ts'],
  strict: true,
};

const reports = process.env.PODNET_REPORTS_DIR ?? 'reports';

const allure = {
  resultsDir: `${reports}/allure-results`,
  labels: [{ name: 'claim', pattern: [/^@claim:/] }],
};

export default {
  ...common,
  format: [
    'progress',
    ['allure-cucumberjs/reporter', `${reports}/allure-results/.cucumber-allure.log`],
    ['junit', `${reports}/junit.xml`],
    ['message', `${reports}/cucumber-messages.ndjson`],
  ],
  formatOptions: allure,
};

/** For the project's own tests: every step defined, nothing run. */
export const dry = {
  ...common,
  dryRun: true,
  format: ['snippets'],
};
