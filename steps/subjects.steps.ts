import { Given } from '@cucumber/cucumber';
import type { Placement } from '../support/subjects.ts';
import { choosePod } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';

Given(
  'a {workload} pod on {placement}, called {string}',
  async function (this: PodNetWorld, workload: string, placement: Placement, alias: string) {
    this.name(alias, await choosePod(this.cluster, workload, placement, this.pods));
  },
);
