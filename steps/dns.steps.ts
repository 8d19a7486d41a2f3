import { Then } from '@cucumber/cucumber';
import { nameserverIsClusterDns, resolvOption, searchListStartsWith } from '../support/claims/dns.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('{pod} uses the cluster DNS Service IP as its only nameserver', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(nameserverIsClusterDns(this.cluster, pod));
});

Then('the DNS search list of {pod} starts with {string}', async function (this: PodNetWorld, pod: PodInfo, domains: string) {
  await this.verify(searchListStartsWith(this.cluster, pod, domains));
});

Then('the resolv.conf of {pod} sets option {string}', async function (this: PodNetWorld, pod: PodInfo, option: string) {
  await this.verify(resolvOption(this.cluster, pod, option));
});
