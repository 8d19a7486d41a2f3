import { Given, Then, When } from '@cucumber/cucumber';
import {
  affinitiesNamedByRule,
  calicoComponentsHealthy,
  nodesAreKindContainers,
  blocksAlignedInTheirPool,
  everyNodeHasConfirmedAffinity,
  ipamShowAccountsForPodsAndTunnels,
  oneAffinityPerNodeIn,
  loadBalancerBlockIsVirtual,
  podsAndTunnelsIn,
  poolUnused,
  poolsAreExactly,
  poolsRenderedFromInstallation,
  workloadPodsIn,
  workloadPodsInOwnNodesBlockOf,
} from '../support/claims/calico-ipam.ts';
import {
  natOutgoingRuleOnEveryNode,
  outsideAnswered,
  requestsFromPodItself,
  requestsFromSendersNode,
} from '../support/claims/nat-outgoing.ts';
import { pingOutsideUnderCapture, sendDaemonSetToPool, turnOffNatOutgoingOfPoolOf } from '../support/claims/pool-actions.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

Then('every pool of the Calico Installation is an IP pool with the settings it declares', async function (this: PodNetWorld) {
  await this.verify(poolsRenderedFromInstallation(this.cluster));
});

Then('the IP pools are exactly {string}', async function (this: PodNetWorld, names: string) {
  await this.verify(
    poolsAreExactly(
      this.cluster,
      names.split(',').map((name) => name.trim()),
    ),
  );
});

Then(
  "calicoctl ipam show counts each pool's size, its addresses in use and the rest as free, and what is in use is the pods on the pod network and the nodes' tunnel addresses",
  async function (this: PodNetWorld) {
    await this.verify(ipamShowAccountsForPodsAndTunnels(this.cluster));
  },
);

Then("every node has a confirmed BlockAffinity for a block of its pool's block size", async function (this: PodNetWorld) {
  await this.verify(everyNodeHasConfirmedAffinity(this.cluster, { exactlyOne: false }));
});

Then("every node has exactly one confirmed BlockAffinity, for a block of its pool's block size", async function (this: PodNetWorld) {
  await this.verify(everyNodeHasConfirmedAffinity(this.cluster, { exactlyOne: true }));
});

Then('every BlockAffinity is named after its node and its block', async function (this: PodNetWorld) {
  await this.verify(affinitiesNamedByRule(this.cluster));
});

Then('every block lies inside its pool, aligned on its own size', async function (this: PodNetWorld) {
  await this.verify(blocksAlignedInTheirPool(this.cluster));
});

Then(
  'every node masquerades traffic from the natOutgoing pools to destinations outside every pool, and only that',
  async function (this: PodNetWorld) {
    await this.verify(natOutgoingRuleOnEveryNode(this.cluster));
  },
);

When(
  '{pod} pings the outside host {int} times while the outside host captures',
  { timeout: 30_000 },
  async function (this: PodNetWorld, from: PodInfo, count: number) {
    this.record(this.saw('outsideCapture', await pingOutsideUnderCapture(this.cluster, from, count)).observation.evidence);
  },
);

Then(
  'the outside host sees the echo requests coming from the InternalIP of the node of {string}',
  async function (this: PodNetWorld, alias: string) {
    await this.verify(requestsFromSendersNode(this.cluster, this.outsideCaptureOf(alias)));
  },
);

Then('the outside host sees the echo requests coming from the IP of {string} itself', async function (this: PodNetWorld, alias: string) {
  await this.verify(requestsFromPodItself(this.outsideCaptureOf(alias)));
});

// The operator rolls nothing for this: each node's Felix changes its masq ipset (up to 90 s on a live cluster).
Given('natOutgoing is turned off on the pool {pod} has its address from', { timeout: 120_000 }, function (this: PodNetWorld, pod: PodInfo) {
  return turnOffNatOutgoingOfPoolOf(this.cluster, pod, this.keepUndo);
});

Then('the outside host answers {string}', async function (this: PodNetWorld, alias: string) {
  await this.verify(outsideAnswered(this.outsideCaptureOf(alias)));
});

Then('the pool {string} is unused: no BlockAffinity and no address in it', async function (this: PodNetWorld, pool: string) {
  await this.verify(poolUnused(this.cluster, pool));
});

Then(
  'every node has exactly one BlockAffinity, in the pool {string}, besides any LoadBalancer pool',
  async function (this: PodNetWorld, pool: string) {
    await this.verify(oneAffinityPerNodeIn(this.cluster, pool));
  },
);

Then(
  "the LoadBalancer pool's block belongs to no node: its BlockAffinity is virtual, for load-balancer, named after its CIDR",
  async function (this: PodNetWorld) {
    await this.verify(loadBalancerBlockIsVirtual(this.cluster));
  },
);

Then("every pod and every node's tunnel address has an address in the pool {string}", async function (this: PodNetWorld, pool: string) {
  await this.verify(podsAndTunnelsIn(this.cluster, pool));
});

// The DaemonSet replaces its pods one node at a time: longer than a step's default 5 s.
When(
  'the pod template of the DaemonSet {workload} is annotated to take addresses from the pool {string}',
  { timeout: 300_000 },
  async function (this: PodNetWorld, daemonSet: string, pool: string) {
    this.note(`replaced-${daemonSet}.txt`, await sendDaemonSetToPool(this.cluster, daemonSet, pool, this.keepUndo));
  },
);

Then('every {workload} pod has an IP in the pool {string}', async function (this: PodNetWorld, workload: string, pool: string) {
  await this.verify(workloadPodsIn(this.cluster, workload, pool));
});

Then(
  "every node running a {workload} pod holds a BlockAffinity in the pool {string}, named after the node and the block, and the pod's IP lies in that block",
  async function (this: PodNetWorld, workload: string, pool: string) {
    await this.verify(workloadPodsInOwnNodesBlockOf(this.cluster, workload, pool));
  },
);

Then("every node is a Kind node container with its InternalIP on Docker's kind network", async function (this: PodNetWorld) {
  await this.verify(nodesAreKindContainers(this.cluster));
});

Then('the Tigera operator reports {string} available and not degraded', async function (this: PodNetWorld, names: string) {
  await this.verify(
    calicoComponentsHealthy(
      this.cluster,
      names.split(',').map((name) => name.trim()),
    ),
  );
});
