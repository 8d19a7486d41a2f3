/**
 * Attach to the target once per worker, label every scenario for the report, skip what the
 * target cannot answer, gather evidence on failure, and clean up what a scenario created.
 */
import 'allure-cucumberjs';
import { After, AfterAll, Before, BeforeAll, Status } from '@cucumber/cucumber';
import * as allure from 'allure-js-commons';
import { lessonOf } from './lessons.ts';
import { connect } from './target.ts';
import { formatExec } from './evidence.ts';
import { nodeTarget } from './subjects.ts';
import { useCluster, type PodNetWorld } from './world.ts';

let connected: Awaited<ReturnType<typeof connect>> | undefined;

BeforeAll({ timeout: 120_000 }, async function () {
  connected = await connect();
  useCluster(connected);
});

Before({ name: 'label the scenario for the report' }, async function (this: PodNetWorld, { pickle }) {
  const tags = pickle.tags.map((tag) => tag.name);
  const lesson = lessonOf(tags);
  if (lesson) {
    await allure.epic(lesson.title);
    await allure.link(lesson.url, `Lesson text: ${lesson.title}`);
  }
  await allure.parameter('target', this.cluster.target);
});

Before({ tags: '@live-only', name: 'skip claims the embedded lab cannot answer' }, function (this: PodNetWorld, { pickle }) {
  if (this.cluster.target === 'kind') return undefined;
  const reason = pickle.tags.find((tag) => tag.name.startsWith('@live-only:'))?.name.slice('@live-only:'.length) ?? 'needs a live cluster';
  this.attach(`skipped on the embedded lab: ${reason.replaceAll('-', ' ')}`, { mediaType: 'text/plain', fileName: 'skipped.txt' });
  return 'skipped';
});

After({ name: 'gather the routes of the nodes involved' }, async function (this: PodNetWorld, { result }) {
  if (result?.status !== Status.FAILED || this.pods.size === 0) return;
  const nodes = [...new Set([...this.pods.values()].map((pod) => pod.node))];
  for (const node of nodes) {
    const routes = await this.cluster.exec(nodeTarget(node), ['ip', 'route', 'show'], { timeoutMs: 5_000 }).catch(() => undefined);
    if (routes) this.attach(formatExec(routes), { mediaType: 'text/plain', fileName: `diagnosis-routes@${node}.txt` });
  }
});

After({ name: 'delete the pods the scenario created' }, async function (this: PodNetWorld) {
  for (const pod of this.createdPods.splice(0)) await this.cluster.deletePod(pod.namespace, pod.name);
});

AfterAll(async function () {
  await connected?.close();
});
