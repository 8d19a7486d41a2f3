/**
 * .github/workflows/nightly.yml: valid for GitHub Actions (checked with GitHub's own parser,
 * @actions/workflow-parser, the one behind the Actions VS Code extension), and shaped as the
 * nightly must be: triggers, matrix, provisioning, the e2e run, reports kept and the cluster
 * deleted whatever happens.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { kindReleaseLine } from '../../support/provision/kind-release.ts';
import { KIND_RELEASES, nodeImage, parseVersion } from '../../support/provision/versions.ts';

const WORKFLOW = '.github/workflows/nightly.yml';
const text = await readFile(new URL(`../../${WORKFLOW}`, import.meta.url), 'utf8');
const workflow = parse(text);

// --- GitHub's parser ---------------------------------------------------------------------------

interface WorkflowParser {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): {
    context: { errors: { getErrors(): { message: string }[] } };
    value: unknown;
  };
  convertWorkflowTemplate(context: unknown, root: unknown): Promise<{ errors?: { Message: string }[] }>;
  NoOperationTraceWriter: new () => unknown;
}

const PARSER = '@actions/workflow-parser';

async function loadParser(): Promise<WorkflowParser> {
  try {
    return (await import(PARSER)) as WorkflowParser;
  } catch (error) {
    assert.fail(`${PARSER} is needed to validate ${WORKFLOW}: npm install --save-dev ${PARSER}@0.3.61\n(${String(error)})`);
  }
}

/** Every error GitHub's parser reports: schema (parse) and semantics (cron, needs, expressions). */
async function validate(content: string): Promise<string[]> {
  const parser = await loadParser();
  const parsed = parser.parseWorkflow({ name: WORKFLOW, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length ? errors : ['no workflow parsed'];
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((error) => error.Message);
}

test("GitHub's workflow parser accepts nightly.yml", async () => {
  assert.deepEqual(await validate(text), []);
});

test('the validator is not blind: it rejects broken copies of nightly.yml', async () => {
  assert.notDeepEqual(await validate(text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04')), []);
  assert.notDeepEqual(await validate(text.replace('needs: [e2e, topologies]', 'needs: [e2ee, topologies]')), []);
  assert.notDeepEqual(await validate(text.replace('timeout-minutes: 60', 'timeout-minutes: soon')), []);
});

// --- the shape the issue asks for --------------------------------------------------------------

interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}

const jobs: Record<string, { steps: WorkflowStep[]; [key: string]: any }> = workflow.jobs;
const e2e = jobs.e2e!;
const steps = e2e.steps;
const stepRunning = (pattern: RegExp) => steps.find((step) => step.run !== undefined && pattern.test(step.run));
const stepUsing = (action: string) => steps.find((step) => step.uses?.startsWith(`${action}@`));

test('runs nightly and on demand, with inputs to pick versions', () => {
  assert.match(workflow.on.schedule[0].cron, /^\S+ \S+ \* \* \*$/);
  assert.deepEqual(Object.keys(workflow.on.workflow_dispatch.inputs).sort(), ['calico', 'encapsulation', 'k8s']);
});

test('a matrix of Kubernetes × Calico versions that does not stop at the first failure', () => {
  const { matrix } = e2e.strategy;
  assert.equal(e2e.strategy['fail-fast'], false);
  assert.deepEqual(Object.keys(matrix).sort(), ['calico', 'k8s']);
  const nightlySet = (axis: string) => JSON.parse(/'(\[.*\])'/.exec(String(matrix[axis]))?.[1] ?? '[]') as string[];
  assert.ok(nightlySet('k8s').includes('v1.28.0'), "the course's Kubernetes version is in the nightly set");
  assert.ok(nightlySet('k8s').length >= 3);
  assert.ok(nightlySet('calico').includes('v3.30.0'));
  assert.ok(nightlySet('calico').some((v) => v.startsWith('v3.29.')));
  for (const k8s of nightlySet('k8s'))
    assert.ok(nodeImage(k8s), `${k8s} has no node image paired with its kind release in support/provision/versions.ts`);
  for (const calico of nightlySet('calico')) assert.doesNotThrow(() => parseVersion(calico));
});

test('two nightlies never overlap, and every job has a time limit', () => {
  assert.ok(workflow.concurrency?.group);
  assert.equal(workflow.concurrency['cancel-in-progress'], false);
  for (const [name, job] of Object.entries(jobs)) assert.ok(Number(job['timeout-minutes']) > 0, `${name} has no timeout-minutes`);
});

test('sets up Node 22 with the npm cache, installs with npm ci', () => {
  assert.deepEqual(stepUsing('actions/setup-node')?.with, { 'node-version': 22, cache: 'npm' });
  assert.ok(stepUsing('actions/checkout'));
  assert.ok(stepRunning(/^npm ci$/));
});

test('installs, for each cell, the kind release that built its node image, and kubectl, checking their checksums', () => {
  assert.equal(e2e.env.KIND_VERSION, undefined, 'no one kind for every node image');
  const kind = stepRunning(/kind-linux-amd64/);
  assert.match(kind?.run ?? '', /^pair=\$\(node --import tsx support\/provision\/kind-release\.ts "\$K8S_VERSION"\)$/m);
  assert.match(kind?.run ?? '', /read -r KIND_VERSION KIND_SHA256 <<< "\$pair"/);
  assert.match(kind?.run ?? '', /\$\{KIND_VERSION\}/);
  assert.match(kind?.run ?? '', /\$\{KIND_SHA256\}.*sha256sum --check/);
  // The kind releases' notes list these images (support/provision/versions.ts cites them).
  assert.equal(kindReleaseLine('v1.28.0'), `v0.20.0 ${KIND_RELEASES['v0.20.0']!.linuxAmd64Sha256}`);
  assert.equal(kindReleaseLine('v1.30.6')?.split(' ')[0], 'v0.25.0');
  assert.equal(kindReleaseLine('v1.32.0')?.split(' ')[0], 'v0.26.0');
  assert.equal(kindReleaseLine('v1.31.0'), undefined);
  assert.match(stepRunning(/dl\.k8s\.io/)?.run ?? '', /kubectl\.sha256.*\n.*sha256sum --check/);
});

test('provisions with the matrix versions, then runs the e2e suite against the kind target', () => {
  const up = steps.indexOf(stepRunning(/npm run cluster:up -- /)!);
  const run = steps.indexOf(stepRunning(/^npm run e2e$/)!);
  assert.ok(up >= 0 && run > up, 'cluster:up, then npm run e2e');
  assert.match(steps[up]!.run!, /--k8s "\$K8S_VERSION" --calico "\$CALICO_VERSION"/);
  assert.equal(e2e.env.K8S_VERSION, '${{ matrix.k8s }}');
  assert.equal(e2e.env.CALICO_VERSION, '${{ matrix.calico }}');
  assert.equal(steps[run]!.env?.E2E_TARGET, 'kind');
  assert.ok(stepRunning(/KUBECONFIG=.*GITHUB_ENV/), 'the kubeconfig cluster:up writes is the one e2e reads');
  assert.equal(steps[run]!['continue-on-error'], undefined, 'a failing claim fails the job');
  assert.equal(steps[run]!.if, undefined);
});

test('keeps the reports and a test summary, also when the run failed', () => {
  const upload = stepUsing('actions/upload-artifact');
  assert.equal(upload?.if, 'always()');
  assert.deepEqual(String(upload?.with?.path).trim().split('\n'), ['reports/allure-report', 'reports/allure-results', 'reports/junit.xml']);
  const summary = steps.find((step) => step.with?.report_paths === 'reports/junit.xml');
  assert.match(summary?.if ?? '', /^always\(\)/);
});

test('always deletes the cluster, as the last step', () => {
  const last = steps.at(-1);
  assert.match(last?.run ?? '', /^npm run cluster:down -- /);
  assert.equal(last?.if, 'always()');
});

test('publishes to Pages only from the default branch, where the repository opted in, in a job of its own', () => {
  const pages = jobs.pages!;
  assert.deepEqual(pages.needs, ['e2e', 'topologies', 'report']);
  assert.match(pages.if, /github\.event\.repository\.default_branch/);
  assert.match(pages.if, /vars\.PUBLISH_ALLURE_PAGES == 'true'/);
  assert.match(pages.if, /!cancelled\(\)/, "a failing night's report is published too");
  assert.deepEqual(pages.permissions, { contents: 'read', pages: 'write', 'id-token': 'write' });
  assert.deepEqual(workflow.permissions, { contents: 'read' }, 'only the pages job may write');
  assert.ok(pages.steps.some((step) => step.uses?.startsWith('actions/deploy-pages@')));
});

test('one Allure report for the whole matrix, an environment per cell, with history, and a claim × cell table', () => {
  assert.match(stepRunning(/tag-cell\.ts/)?.run ?? '', /tag-cell\.ts reports\/allure-results "\$CELL"/);
  assert.match(String(e2e.env.CELL), /\$\{\{ matrix\.k8s \}\}.*\$\{\{ matrix\.calico \}\}/);
  const report = jobs.report!;
  assert.deepEqual(report.needs, ['e2e', 'topologies']);
  assert.match(report.if, /!cancelled\(\)/);
  const build = report.steps.find((step) => step.run?.includes('allure generate'));
  assert.match(build?.run ?? '', /--config support\/nightly\/allurerc\.nightly\.mjs/);
  assert.match(build?.run ?? '', /claim-table\.ts --cells/);
  assert.match(build?.run ?? '', /claim-table\.ts "\$\{dirs\[@\]\}" >> "\$GITHUB_STEP_SUMMARY"/);
  const restore = report.steps.findIndex((step) => step.uses?.startsWith('actions/cache/restore@'));
  const save = report.steps.findIndex((step) => step.uses?.startsWith('actions/cache/save@'));
  assert.ok(restore >= 0 && save > restore, 'history restored before the report and saved after it');
  assert.equal(report.env.NIGHTLY_HISTORY, report.steps[save]!.with!.path);
  assert.equal(report.steps[restore]!.with!['restore-keys'], 'nightly-allure-history-');
  // Per-cell JUnit is kept.
  assert.ok(String(stepUsing('actions/upload-artifact')?.with?.path).includes('reports/junit.xml'));
});

// Majors whose action.yml says `using: node24` (release notes: configure-pages v6.0.0, deploy-pages
// v5.0.0 "Update Node.js version to 24.x", upload-pages-artifact v5.0.0 moves its nested
// upload-artifact to v7; upload-artifact v6+, download-artifact v7, checkout/setup-node v5, cache v5).
const NODE24_MAJORS: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
  'actions/cache/restore': 5,
  'actions/cache/save': 5,
  'actions/configure-pages': 6,
  'actions/upload-pages-artifact': 5,
  'actions/deploy-pages': 5,
};

test('every actions/* step runs on Node 24', () => {
  for (const step of Object.values(jobs).flatMap((job) => job.steps)) {
    const [action, major] = (step.uses ?? '').split('@v');
    if (!action?.startsWith('actions/')) continue;
    assert.ok(NODE24_MAJORS[action] !== undefined, `${action}: which major runs on Node 24?`);
    assert.ok(Number(major) >= NODE24_MAJORS[action]!, `${step.uses} still runs on Node 20`);
  }
});

test('actions are pinned by major version, and no expression is spliced into a shell script', () => {
  for (const step of Object.values(jobs).flatMap((job) => job.steps)) {
    if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w.-]+(\/[\w.-]+)?@v\d+$/, step.uses);
    if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: pass values through env, not \${{ }} in run`);
  }
});

// --- the course's other topologies (issue 18) --------------------------------------------------

const topologies = jobs.topologies!;
const topologyStep = (pattern: RegExp) => topologies.steps.find((step) => step.run !== undefined && pattern.test(step.run));

test("every topology but kind is built and run nightly, each with its own lesson's scenarios, in the same one report", async () => {
  const { listTopologies } = await import('../../support/topology/catalogue.ts');
  assert.deepEqual(
    [...topologies.strategy.matrix.topology].sort(),
    listTopologies()
      .filter((name) => name !== 'kind')
      .sort(),
  );
  assert.equal(topologies.strategy['fail-fast'], false);
  const build = topologies.steps.indexOf(topologyStep(/npm run cluster:up -- /)!);
  const run = topologies.steps.indexOf(topologyStep(/npm run e2e -- --tags "@topology:\$TOPOLOGY"/)!);
  assert.ok(build >= 0 && run > build, 'cluster:up --topology, then the scenarios of that topology');
  assert.match(topologies.steps[build]!.run!, /--topology "\$TOPOLOGY"/);
  assert.equal(topologies.steps[run]!.env?.E2E_TARGET, 'kind');
  assert.equal(topologies.env.TOPOLOGY, '${{ matrix.topology }}');
  // The same artifact prefix as the matrix cells: the report job folds them into one report.
  const upload = topologies.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
  assert.match(String(upload?.with?.name), /^e2e-reports-/);
  assert.equal(upload?.if, 'always()');
  assert.match(topologyStep(/tag-cell\.ts/)?.run ?? '', /"\$CELL"/);
  assert.match(String(topologies.env.CELL), /topology \$\{\{ matrix\.topology \}\}/);
});

test('a topology built by containerlab gets containerlab; one that cannot be built says why in the summary', () => {
  const install = topologies.steps.find((step) => step.run?.includes('get.containerlab.dev'));
  assert.match(install?.if ?? '', /topology\.clab\.yaml/);
  const why = topologies.steps.find((step) => step.run?.includes('could not be built'));
  assert.equal(why?.if, "failure() && steps.build.outcome == 'failure'");
  assert.match(why?.run ?? '', /GITHUB_STEP_SUMMARY/);
  assert.match(why?.run ?? '', /reports\/build-failure\.md/);
  assert.ok(
    String(topologies.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))?.with?.path).includes(
      'reports/build-failure.md',
    ),
  );
  const report = jobs.report!.steps.find((step) => step.run?.includes('allure generate'));
  assert.match(report?.run ?? '', /cells\/\*\/build-failure\.md.*GITHUB_STEP_SUMMARY/);
  const last = topologies.steps.at(-1);
  assert.equal(last?.if, 'always()');
  assert.match(last?.run ?? '', /containerlab destroy/);
  assert.match(last?.run ?? '', /npm run cluster:down/);
});
