/**
 * Attach to the target once per worker, label every scenario for the report, skip what the
 * target cannot answer, gather evidence on failure, and clean up what a scenario created.
 */
import 'allure-cucumberjs';
import { After, AfterAll, Before, BeforeAll, BeforeStep, Status, setDefaultTimeout, setParallelCanAssign } from '@cucumber/cucumber';
import * as allure from 'allure-js-commons';
import { lessonOf } from './lessons.ts';
import { assignScenario } from './parallel.ts';
import { INTERRUPTED_LABEL, wasInterrupted } from './run/interrupt.ts';
import { TARGETS } from './target.ts';
import { TopologyClusters } from './topology-clusters.ts';
import { topologyOfTags } from './topology/catalogue.ts';
import { diagnose } from './diagnosis/diagnose.ts';
import { buildPath, pathFacts, renderPathSvg } from './diagnosis/path.ts';
import { attachmentName, formatExec } from './evidence.ts';
import { putBack, putBackRunChanges } from './undo.ts';
import { useCluster, type PodNetWorld } from './world.ts';
import { factsOf } from './preconditions/facts.ts';
import { REQUIRES_TAG, skipMessage, unmet } from './preconditions/preconditions.ts';

let clusters: TopologyClusters | undefined;

// A step is bounded by the commands it runs, each with a timeout of its own; this bound only
// catches a step that hangs. Cucumber's 5 s is too short for a full mesh on a loaded machine or
// for a live cluster, where every exec is an API round trip.
setDefaultTimeout(60_000);

// Under --parallel, a scenario that creates or deletes pods never runs beside another.
setParallelCanAssign(assignScenario);

BeforeAll(function () {
  clusters = new TopologyClusters();
  useCluster(undefined);
});

// First of the Before hooks: every other one asks the World for the scenario's cluster.
Before({ name: "connect to the cluster of the scenario's topology", timeout: 120_000 }, async function (this: PodNetWorld, { pickle }) {
  const topology = topologyOfTags(pickle.tags.map((tag) => tag.name));
  const cluster = await (clusters as TopologyClusters).for(topology);
  this.useTopology(topology, cluster);
  const unfit = await (clusters as TopologyClusters).unfit(topology, cluster);
  if (!unfit) return undefined;
  this.attach(`skipped: this cluster does not have the scenario's topology: ${unfit}`, {
    mediaType: 'text/plain',
    fileName: 'skipped.txt',
  });
  return 'skipped';
});

Before({ name: 'skip what is left once the run is interrupted' }, async function (this: PodNetWorld) {
  const signal = wasInterrupted();
  if (!signal) return undefined;
  await allure.label(INTERRUPTED_LABEL, signal);
  this.attach(`not run: the run was interrupted (${signal})`, { mediaType: 'text/plain', fileName: 'interrupted.txt' });
  return 'skipped';
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

Before({ name: 'skip claims the embedded lab cannot answer' }, function (this: PodNetWorld, { pickle }) {
  const liveOnly = pickle.tags.find((tag) => tag.name === '@live-only' || tag.name.startsWith('@live-only:'));
  if (!liveOnly || TARGETS[this.cluster.target].answersLiveOnly) return undefined;
  const reason = liveOnly.name.slice('@live-only:'.length).replaceAll('-', ' ') || 'it needs a live cluster';
  this.attach(`skipped on the embedded lab: ${reason}`, { mediaType: 'text/plain', fileName: 'skipped.txt' });
  return 'skipped';
});

Before({ name: 'skip claims whose preconditions the cluster does not meet' }, async function (this: PodNetWorld, { pickle }) {
  const tags = pickle.tags.map((tag) => tag.name);
  if (!tags.some((tag) => tag.startsWith(REQUIRES_TAG))) return undefined;
  const miss = unmet(tags, await factsOf(this.cluster));
  if (!miss) return undefined;
  this.attach(skipMessage(miss), { mediaType: 'text/plain', fileName: 'skipped.txt' });
  return 'skipped';
});

// After hooks run in the reverse order of their definition: this one, defined first, runs
// last, so that a diagnosis still finds the pods the scenario created.
After({ name: 'mark a scenario cut short by Ctrl-C as interrupted' }, async function (this: PodNetWorld, { result }) {
  const signal = wasInterrupted();
  if (!signal || result?.status === Status.PASSED || result?.status === Status.SKIPPED) return;
  await allure.label(INTERRUPTED_LABEL, signal);
  this.attach(`interrupted (${signal}) while it ran: what it saw is incomplete, so it neither passed nor failed`, {
    mediaType: 'text/plain',
    fileName: 'interrupted.txt',
  });
});

// Defined early, so it runs late: a diagnosis still finds what the scenario changed.
// Long enough for a change that rolls a DaemonSet back out (the Installation's MTU on a live cluster).
After({ name: 'put back what the scenario changed', timeout: 360_000 }, async function (this: PodNetWorld) {
  await putBack(this.restorers, 'this scenario');
});

After({ name: 'delete the pods the scenario created' }, async function (this: PodNetWorld) {
  const failures: string[] = [];
  for (const pod of this.createdPods.splice(0)) {
    await this.cluster
      .deletePod(pod.namespace, pod.name)
      .catch((error: Error) => failures.push(`${pod.namespace}/${pod.name}: ${error.message}`));
  }
  if (failures.length) throw new Error(`could not delete the pods this scenario created: ${failures.join('; ')}`);
});

After({ name: 'diagnose a failed claim with the runbook that fits' }, async function (this: PodNetWorld, { result, pickle }) {
  if (result?.status !== Status.FAILED) return;
  const claims = pickle.tags.filter((tag) => tag.name.startsWith('@claim:')).map((tag) => tag.name.slice('@claim:'.length));
  const [source, target] = await this.trafficSubjects();
  const diagnosis = await diagnose(this.cluster, claims, source, target).catch((error: Error) => ({
    text: `the diagnosis could not be gathered: ${error.message}`,
    evidence: [],
    listings: [],
  }));
  this.attach(diagnosis.text, { mediaType: 'text/plain', fileName: 'diagnosis.txt' });
  for (const evidence of diagnosis.evidence)
    this.attach(formatExec(evidence), { mediaType: 'text/plain', fileName: `diagnosis-${attachmentName(evidence)}` });
  for (const listing of diagnosis.listings) this.attach(listing.body, { mediaType: listing.mediaType, fileName: listing.fileName });
});

After({ name: 'draw the path of the ping' }, async function (this: PodNetWorld) {
  const ping = this.seenIfAny('ping');
  if (!ping) return;
  const ttls = ping.observation.value.replies.map((reply) => reply.ttl);
  const facts = await pathFacts(this.cluster, ping.from, ping.to, ttls).catch(() => undefined);
  if (facts) this.attach(renderPathSvg(buildPath(facts), ttls), { mediaType: 'image/svg+xml', fileName: 'path.svg' });
});

BeforeStep(function (this: PodNetWorld) {
  this.records.step += 1;
});

// Defined after this file's other After hooks, so that cucumber runs it before them: it judges the steps,
// not the clean-up. (The step files' After hooks only add to the report on a failure.)
After({ name: 'fail a scenario whose When saw what no Then read' }, function (this: PodNetWorld, { result, pickle }) {
  if (result?.status !== Status.PASSED) return;
  const unread = this.records.unread();
  if (unread.length === 0) return;
  const steps = unread.map(({ step, kinds }) => `step ${step} ("${pickle.steps[step - 1]?.text ?? '?'}") kept ${kinds.join(', ')}`);
  throw new Error(`a When saw what no Then read: ${steps.join('; ')}. Add the Then that checks it, or drop the When.`);
});

// Long enough to turn WireGuard back off on every node of a live cluster.
AfterAll({ timeout: 120_000 }, async function () {
  try {
    await putBackRunChanges();
  } finally {
    await clusters?.close();
  }
});
