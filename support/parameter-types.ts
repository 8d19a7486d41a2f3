/** Words of the scenarios turned into typed values, so that step bodies stay one expression. */
import { defineParameterType } from '@cucumber/cucumber';
import { PLACEMENT_PATTERN, parsePlacement } from './subjects.ts';

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
