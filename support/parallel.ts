/**
 * Which scenarios may run side by side under --parallel. Only scenarios that just look run
 * together: a scenario with a Given or When step sets something up or changes it (a pod created
 * or replaced, a sysctl, a BGP session, the Installation), and one that captures packets would
 * see the traffic of the scenarios beside it. Such a scenario runs alone: it starts only when no
 * other scenario runs, and none starts beside it. (Cucumber gives each pickle step its type:
 * Context for Given, Action for When, Outcome for Then; And and But take the type before them.)
 */
import type { setParallelCanAssign } from '@cucumber/cucumber';

type Validator = Parameters<typeof setParallelCanAssign>[0];
type Pickle = Parameters<Validator>[0];

/** A Then step that captures packets while it acts (a redis PING or a DNS lookup under capture). */
const CAPTURES = /\bcaptur/i;

export function runsAlone(pickle: Pickle): boolean {
  return pickle.steps.some((step) => step.type === 'Context' || step.type === 'Action' || CAPTURES.test(step.text));
}

export const assignScenario: Validator = (pickle, inProgress) =>
  runsAlone(pickle) ? inProgress.length === 0 : !inProgress.some(runsAlone);
