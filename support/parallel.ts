/**
 * Which scenarios may run side by side under --parallel. The unit of isolation is the
 * topology: each topology has a lab of its own, never connected to another's, so scenarios of
 * different topologies run side by side whatever they do. Within one topology (one lab), only
 * scenarios that just look run together: a scenario with a Given or When step sets something
 * up or changes it (a pod created or replaced, a sysctl, a BGP session, the Installation), and
 * one that captures packets would see the traffic of the scenarios beside it. Such a scenario
 * runs alone on its lab: it starts only when no other scenario of its topology runs, and none
 * of its topology starts beside it. (Cucumber gives each pickle step its type: Context for
 * Given, Action for When, Outcome for Then; And and But take the type before them. A pickle's
 * tags include its Feature's, where the topology is named.)
 */
import type { setParallelCanAssign } from '@cucumber/cucumber';
import { topologyOfTags } from './topology/catalogue.ts';

type Validator = Parameters<typeof setParallelCanAssign>[0];
type Pickle = Parameters<Validator>[0];

/** A Then step that captures packets while it acts (a redis PING or a DNS lookup under capture). */
const CAPTURES = /\bcaptur/i;

export function runsAlone(pickle: Pickle): boolean {
  return pickle.steps.some((step) => step.type === 'Context' || step.type === 'Action' || CAPTURES.test(step.text));
}

export function topologyOfPickle(pickle: Pickle): string {
  return topologyOfTags((pickle.tags ?? []).map((tag) => tag.name));
}

export const assignScenario: Validator = (pickle, inProgress) => {
  const topology = topologyOfPickle(pickle);
  const onSameLab = inProgress.filter((other) => topologyOfPickle(other) === topology);
  return runsAlone(pickle) ? onSameLab.length === 0 : !onSameLab.some(runsAlone);
};
