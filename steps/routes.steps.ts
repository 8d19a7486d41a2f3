import { Then, type DataTable } from '@cucumber/cucumber';
import { hostRouteToPod } from '../support/claims/host-interface.ts';
import { podRoutesAreExactly } from '../support/claims/pod-interface.ts';
import { routeGetViaNode, routesPerRemoteBlock } from '../support/claims/routing.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('the routing table of {string} is exactly:', async function (this: PodNetWorld, alias: string, table: DataTable) {
  await this.verify(podRoutesAreExactly(this.cluster, this.pod(alias), table.raw().map((row) => row.join(' '))));
});

Then('the node of {string} routes its IP straight to its host interface, with no gateway', async function (this: PodNetWorld, alias: string) {
  await this.verify(hostRouteToPod(this.cluster, this.pod(alias)));
});

Then("the node of {string} routes the IP of {string} via the other node's InternalIP on eth0", async function (this: PodNetWorld, fromAlias: string, toAlias: string) {
  await this.verify(routeGetViaNode(this.cluster, this.pod(fromAlias).node, this.pod(toAlias)));
});

Then('every node routes to each remote block through its node, with no route to a single remote pod', async function (this: PodNetWorld) {
  await this.verify(routesPerRemoteBlock(this.cluster));
});
