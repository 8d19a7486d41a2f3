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
import { nodeImage, parseVersion } from '../../support/provision/versions.ts';

const WORKFLOW = '.github/workflows/nightly.yml';
const text = await readFile(new URL(`../../${WORKFLOW}`, import.meta.url), 'utf8');
const workflow = parse(text);

// --- GitHub's parser ---------------------------------------------------------------------------

interface WorkflowParser {
  parseWorkflow(file: { name: string; content: string }, trace: unknown): {
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

test('GitHub\'s workflow parser accepts nightly.yml', async () => {
  assert.deepEqual(await validate(text), []);
});

test('the validator is not blind: it rejects broken copies of nightly.yml', async () => {
  assert.notDeepEqual(await validate(text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04')), []);
  assert.notDeepEqual(await validate(text.replace('needs: e2e', 'needs: e2ee')), []);
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
  assert.ok(nightlySet('k8s').includes('v1.28.0'), 'the course\'s Kubernetes version is in the nightly set');
  assert.ok(nightlySet('k8s').length >= 3);
  assert.ok(nightlySet('calico').includes('v3.30.0'));
  assert.ok(nightlySet('calico').some((v) => v.startsWith('v3.29.')));
  for (const k8s of nightlySet('k8s')) assert.ok(nodeImage(k8s).builtBy, `${k8s} has no node image digest in support/provision/versions.ts`);
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

test('installs pinned kind and kubectl, checking their checksums', () => {
  assert.match(String(e2e.env.KIND_VERSION), /^v\d+\.\d+\.\d+$/);
  assert.match(String(e2e.env.KIND_SHA256), /^[0-9a-f]{64}$/);
  const kind = stepRunning(/kind-linux-amd64/);
  assert.match(kind?.run ?? '', /\$\{KIND_VERSION\}/);
  assert.match(kind?.run ?? '', /\$\{KIND_SHA256\}.*sha256sum --check/);
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
  assert.equal(pages.needs, 'e2e');
  assert.match(pages.if, /github\.event\.repository\.default_branch/);
  assert.match(pages.if, /vars\.PUBLISH_ALLURE_PAGES == 'true'/);
  assert.match(pages.if, /!cancelled\(\)/, "a failing night's report is published too");
  assert.deepEqual(pages.permissions, { contents: 'read', pages: 'write', 'id-token': 'write' });
  assert.deepEqual(workflow.permissions, { contents: 'read' }, 'only the pages job may write');
  assert.ok(pages.steps.some((step) => step.uses?.startsWith('actions/deploy-pages@')));
});

test('actions are pinned by major version, and no expression is spliced into a shell script', () => {
  for (const step of Object.values(jobs).flatMap((job) => job.steps)) {
    if (step.uses) assert.match(step.uses, /^[\w.-]+\/[\w.-]+@v\d+$/, step.uses);
    if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: pass values through env, not \${{ }} in run`);
  }
});
