import { Then, When } from '@cucumber/cucumber';
import { everyReplyHasTtl, everyRequestAnswered, repliesToSourceIP, requestsFromSourceIP } from '../support/claims/traffic.ts';
import { pingPod, pingPodUnderCapture } from '../support/claims/traffic-actions.ts';
import type { PodNetWorld } from '../support/world.ts';

When('{string} pings {string} {int} times', async function (this: PodNetWorld, from: string, to: string, count: number) {
  this.lastPing = await pingPod(this.cluster, this.pod(from), this.pod(to), count);
  this.record(this.lastPing.observation.evidence);
});

When('{string} pings {string} {int} times while {string} captures its traffic', async function (this: PodNetWorld, from: string, to: string, count: number, on: string) {
  this.lastCapture = await pingPodUnderCapture(this.cluster, this.pod(from), this.pod(to), count, this.pod(on));
  this.lastPing = this.lastCapture.ping;
  this.observe(this.lastCapture.observation);
});

Then('every echo request is answered', function (this: PodNetWorld) {
  return this.verify(everyRequestAnswered(this.requirePing()));
});

Then('every reply carries TTL {int}', function (this: PodNetWorld, ttl: number) {
  return this.verify(everyReplyHasTtl(this.requirePing(), ttl));
});

Then('the capture shows the echo requests coming from the IP of {string}', function (this: PodNetWorld, source: string) {
  return this.verify(requestsFromSourceIP(this.requireCapture(), this.pod(source)));
});

Then('the capture shows the echo replies going to the IP of {string}', function (this: PodNetWorld, source: string) {
  return this.verify(repliesToSourceIP(this.requireCapture(), this.pod(source)));
});
