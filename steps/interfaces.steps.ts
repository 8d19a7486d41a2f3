import { Then } from '@cucumber/cucumber';
import { hostInterfaceHas, hostInterfaceNamedByRule } from '../support/claims/host-interface.ts';
import {
  addressInsidePool,
  eth0HasPoolMtu,
  eth0HoldsOneAddress,
  eth0IsVethToNode,
  podMtuIsNodeMtuLessOverhead,
} from '../support/claims/pod-interface.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

Then(
  'eth0 of {pod} holds exactly one IPv4 address, with prefix length \\/{int}',
  async function (this: PodNetWorld, pod: PodInfo, prefixLen: number) {
    await this.verify(eth0HoldsOneAddress(this.cluster, pod, prefixLen));
  },
);

Then('the address of {pod} lies inside the Calico IP pool', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(addressInsidePool(this.cluster, pod));
});

Then("eth0 of {pod} has the IP pool's MTU", async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(eth0HasPoolMtu(this.cluster, pod));
});

Then(
  "the MTU of eth0 of {pod} is its node's eth0 MTU less the IP pool's encapsulation overhead",
  async function (this: PodNetWorld, pod: PodInfo) {
    await this.verify(podMtuIsNodeMtuLessOverhead(this.cluster, pod));
  },
);

Then('eth0 of {pod} is one end of a veth pair whose other end is on its node', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(eth0IsVethToNode(this.cluster, pod));
});

Then("the host interface of {pod} is named by Calico's rule", async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostInterfaceNamedByRule(this.cluster, pod));
});

Then('the host interface of {pod} has MAC address {string}', async function (this: PodNetWorld, pod: PodInfo, mac: string) {
  await this.verify(hostInterfaceHas(this.cluster, pod, 'mac', mac));
});

Then('the host interface of {pod} has no IPv4 address', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostInterfaceHas(this.cluster, pod, 'no-ipv4'));
});

Then('the host interface of {pod} is UP', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostInterfaceHas(this.cluster, pod, 'up'));
});

Then('the host interface of {pod} has the MTU of its eth0', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostInterfaceHas(this.cluster, pod, 'same-mtu'));
});

Then('the host interface of {pod} points back at its eth0', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(hostInterfaceHas(this.cluster, pod, 'paired'));
});
