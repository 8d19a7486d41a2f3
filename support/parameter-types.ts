/** Words of the scenarios turned into typed values, so that step bodies stay one expression. */
import { defineParameterType } from '@cucumber/cucumber';
import type { PodInfo } from './domain.ts';
import { PLACEMENT_PATTERN, parsePlacement, parseServiceName } from './subjects.ts';
import type { PodNetWorld } from './world.ts';

defineParameterType({
  name: 'placement',
  regexp: PLACEMENT_PATTERN,
  transformer: parsePlacement,
  useForSnippets: false,
});

defineParameterType({
  name: 'workload',
  regexp: /[a-z0-9](?:[-a-z0-9]*[a-z0-9])?/,
  transformer: (name: string) => name,
  useForSnippets: false,
});

/** A pod the scenario named before ("source"), resolved once, where the step is matched. */
defineParameterType({
  name: 'pod',
  regexp: /"([^"]+)"/,
  transformer(this: PodNetWorld, alias: string): PodInfo {
    return this.pod(alias);
  },
  useForSnippets: false,
});

/** A Service the scenario names ("nginx-service"), its name checked where the step is matched. */
defineParameterType({
  name: 'service',
  regexp: /"([^"]+)"/,
  transformer: parseServiceName,
  useForSnippets: false,
});

/** A node the scenario named before ("lost"), resolved once, where the step is matched: its name. */
defineParameterType({
  name: 'node',
  regexp: /"([^"]+)"/,
  transformer(this: PodNetWorld, alias: string): string {
    return this.node(alias);
  },
  useForSnippets: false,
});
