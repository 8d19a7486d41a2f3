import { Then, type DataTable } from '@cucumber/cucumber';
import { hostRouteToPod } from '../support/claims/host-interface.ts';
import { podRoutesAreExactly } from '../support/claims/pod-interface.ts';
import { routeGetViaNode, routesPerRemoteBlock } from '../support/claims/routing.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('the routing table of {pod} is exactly:', async function (this: PodNetWorld, pod: PodInfo, table: DataTable) {
  await this.verify(
    podRoutesAreExactly(
      this.cluster,
      pod,
      table.raw().map((row) => row.join(' ')),
    ),
  );
});

Then('the node of {pod} routes its IP straight to its host interface, with no gateway', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostRouteToPod(this.cluster, pod));
});

Then(
  "the node of {pod} routes the IP of {pod} via the other node's InternalIP on eth0",
  async function (this: PodNetWorld, fromAlias: PodInfo, toAlias: PodInfo) {
    await this.verify(routeGetViaNode(this.cluster, fromAlias.node, toAlias));
  },
);

Then('every node routes to each remote block through its node, with no route to a single remote pod', async function (this: PodNetWorld) {
  await this.verify(routesPerRemoteBlock(this.cluster));
});
