import { Then } from '@cucumber/cucumber';
import { hostInterfaceHas, hostInterfaceNamedByRule } from '../support/claims/host-interface.ts';
import { addressInsidePool, eth0HasPoolMtu, eth0HoldsOneAddress, eth0IsVethToNode, podMtuIsNodeMtuLessOverhead } from '../support/claims/pod-interface.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('eth0 of {string} holds exactly one IPv4 address, with prefix length \\/{int}', async function (this: PodNetWorld, alias: string, prefixLen: number) {
  await this.verify(eth0HoldsOneAddress(this.cluster, this.pod(alias), prefixLen));
});

Then('the address of {string} lies inside the Calico IP pool', async function (this: PodNetWorld, alias: string) {
  await this.verify(addressInsidePool(this.cluster, this.pod(alias)));
});

Then("eth0 of {string} has the IP pool's MTU", async function (this: PodNetWorld, alias: string) {
  await this.verify(eth0HasPoolMtu(this.cluster, this.pod(alias)));
});

Then("the MTU of eth0 of {string} is its node's eth0 MTU less the IP pool's encapsulation overhead", async function (this: PodNetWorld, alias: string) {
  await this.verify(podMtuIsNodeMtuLessOverhead(this.cluster, this.pod(alias)));
});

Then('eth0 of {string} is one end of a veth pair whose other end is on its node', async function (this: PodNetWorld, alias: string) {
  await this.verify(eth0IsVethToNode(this.cluster, this.pod(alias)));
});

Then("the host interface of {string} is named by Calico's rule", async function (this: PodNetWorld, alias: string) {
  await this.verify(hostInterfaceNamedByRule(this.cluster, this.pod(alias)));
});

Then('the host interface of {string} has MAC address {string}', async function (this: PodNetWorld, alias: string, mac: string) {
  await this.verify(hostInterfaceHas(this.cluster, this.pod(alias), 'mac', mac));
});

Then('the host interface of {string} has no IPv4 address', async function (this: PodNetWorld, alias: string) {
  await this.verify(hostInterfaceHas(this.cluster, this.pod(alias), 'no-ipv4'));
});

Then('the host interface of {string} is UP', async function (this: PodNetWorld, alias: string) {
  await this.verify(hostInterfaceHas(this.cluster, this.pod(alias), 'up'));
});

Then('the host interface of {string} has the MTU of its eth0', async function (this: PodNetWorld, alias: string) {
  await this.verify(hostInterfaceHas(this.cluster, this.pod(alias), 'same-mtu'));
});

Then('the host interface of {string} points back at its eth0', async function (this: PodNetWorld, alias: string) {
  await this.verify(hostInterfaceHas(this.cluster, this.pod(alias), 'paired'));
});
