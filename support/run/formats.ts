/**
 * What the cucumber profile (cucumber.json) cannot say in JSON: the reports folder, which
 * PODNET_REPORTS_DIR moves, and the Allure label patterns, which are regular expressions.
 * TypeScript is loaded by tsx: `npm run e2e` runs cucumber under `node --import tsx`; to call
 * cucumber-js by hand, set NODE_OPTIONS="--import tsx" (reports then go to reports/).
 */
import type { IRunConfiguration } from '@cucumber/cucumber/api';
import { JUNIT_FILE, REPORTS_DIR, RERUN_FILE, RESULTS_DIR } from './report.ts';

export function reportFormats(): IRunConfiguration['formats'] {
  return {
    stdout: 'progress',
    files: {
      [`${RESULTS_DIR}/.cucumber-allure.log`]: 'allure-cucumberjs/reporter',
      [JUNIT_FILE]: 'junit',
      [`${REPORTS_DIR}/cucumber-messages.ndjson`]: 'message',
      [RERUN_FILE]: 'rerun',
    },
    publish: false,
    // allure-cucumberjs takes regular expressions, which JSON (and cucumber's type) cannot hold.
    options: {
      resultsDir: RESULTS_DIR,
      labels: [{ name: 'claim', pattern: [/^@claim:/] }],
    } as unknown as IRunConfiguration['formats']['options'],
  };
}
