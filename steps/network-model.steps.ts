import { Given, Then, When } from '@cucumber/cucumber';
import { addressReleased, nodeForgotPod } from '../support/claims/lifecycle.ts';
import { createPodSeenFromItsNode } from '../support/claims/pod-actions.ts';
import { suiteMesh } from '../support/claims/mesh.ts';
import {
  blocksBelowUtilisation,
  cniBinariesPresent,
  cniConfigIsFirstFile,
  containersReachOverLocalhost,
  containersShareEth0,
  hostNetworkPodUsesNodeIP,
  networksDoNotOverlap,
  overlayMtuIsNodeMtuLess,
  podIPsAreUnique,
  poolUsesVxlan,
} from '../support/claims/network-model.ts';
import type { Placement } from '../support/subjects.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('no two pods share an IP address', async function (this: PodNetWorld) {
  await this.verify(podIPsAreUnique(this.cluster));
});

// One exec and one capture per pod: on a live cluster each is an API round trip, and a namespace
// holding the lessons' pods too (--namespace default) takes longer than cucumber's default 5 s.
Then(
  "every pod of the suite reaches every other at its own IP, and each request arrives with the sender's own IP",
  { timeout: 180_000 },
  async function (this: PodNetWorld) {
    await this.verify(suiteMesh(this.cluster));
  },
);

Then('the pod CIDR, the Service CIDR and the node network do not overlap', async function (this: PodNetWorld) {
  await this.verify(networksDoNotOverlap(this.cluster));
});

Given('the IP pool encapsulates with VXLAN', async function (this: PodNetWorld) {
  return (await poolUsesVxlan(this.cluster)) ? undefined : 'skipped';
});

Then("on every node the VXLAN interface's MTU is eth0's MTU less {int} bytes", async function (this: PodNetWorld, overhead: number) {
  await this.verify(overlayMtuIsNodeMtuLess(this.cluster, overhead));
});

Then("{pod} has its node's InternalIP as its IP, on its own interfaces", async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostNetworkPodUsesNodeIP(this.cluster, pod));
});

Then('every container of {pod} sees the same eth0 and IP', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(containersShareEth0(this.cluster, pod));
});

Then(
  'container {string} of {pod} reaches a server in container {string} on localhost',
  async function (this: PodNetWorld, client: string, pod: PodInfo, server: string) {
    await this.verify(containersReachOverLocalhost(this.cluster, pod, client, server));
  },
);

When('a new pod is created on {placement}, called {string}', async function (this: PodNetWorld, placement: Placement, alias: string) {
  this.keepHostInterface(
    this.observe(await createPodSeenFromItsNode(this.cluster, placement, this.pods, (pod) => this.created(alias, pod))),
  );
});

When('{pod} is deleted', async function (this: PodNetWorld, pod: PodInfo) {
  await this.deleteCreated(pod);
});

Then('the node of {pod} no longer has its host interface or a route to its IP', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(nodeForgotPod(this.cluster, pod, this.hostInterfaces.get(pod)));
});

Then("the IP of {pod} is free again in Calico's IPAM", async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(addressReleased(this.cluster, pod));
});

Then(
  'the CNI configuration used on the node of {pod} is {string}, the first file in \\/etc\\/cni\\/net.d',
  async function (this: PodNetWorld, pod: PodInfo, file: string) {
    await this.verify(cniConfigIsFirstFile(this.cluster, pod.node, file));
  },
);

Then(
  'every plugin that {string} names is an executable in \\/opt\\/cni\\/bin on the node of {pod}',
  async function (this: PodNetWorld, file: string, pod: PodInfo) {
    await this.verify(cniBinariesPresent(this.cluster, pod.node, file));
  },
);

Then('no IPAM block is more than {int}% allocated', async function (this: PodNetWorld, percent: number) {
  await this.verify(blocksBelowUtilisation(this.cluster, percent));
});
