import { Then } from '@cucumber/cucumber';
import { allNodesReady, daemonSetOnEveryNode, nodeShape, podRunningAndReady, workloadEndpointMatches } from '../support/claims/cluster.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

Then(
  'the cluster has {int} control-plane node(s) and {int} worker node(s)',
  async function (this: PodNetWorld, controlPlanes: number, workers: number) {
    await this.verify(nodeShape(this.cluster, controlPlanes, workers));
  },
);

Then('every node is Ready', async function (this: PodNetWorld) {
  await this.verify(allNodesReady(this.cluster));
});

Then('{pod} is Running with all its containers ready', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(podRunningAndReady(this.cluster, pod));
});

Then('the DaemonSet {workload} runs one Running pod on every node', async function (this: PodNetWorld, daemonSet: string) {
  await this.verify(daemonSetOnEveryNode(this.cluster, daemonSet));
});

Then(
  "Calico's datastore holds a workload endpoint for {pod} with its node, its IP as a \\/32 and its host interface",
  async function (this: PodNetWorld, pod: PodInfo) {
    await this.verify(workloadEndpointMatches(this.cluster, pod));
  },
);
