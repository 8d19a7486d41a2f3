import { Then } from '@cucumber/cucumber';
import { nameserverIsClusterDns, resolvOption, searchListStartsWith } from '../support/claims/dns.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('{string} uses the cluster DNS Service IP as its only nameserver', async function (this: PodNetWorld, alias: string) {
  await this.verify(nameserverIsClusterDns(this.cluster, this.pod(alias)));
});

Then('the DNS search list of {string} starts with {string}', async function (this: PodNetWorld, alias: string, domains: string) {
  await this.verify(searchListStartsWith(this.cluster, this.pod(alias), domains));
});

Then('the resolv.conf of {string} sets option {string}', async function (this: PodNetWorld, alias: string, option: string) {
  await this.verify(resolvOption(this.cluster, this.pod(alias), option));
});
