import { Then, When } from '@cucumber/cucumber';
import { everyReplyHasTtl, everyRequestAnswered, repliesToSourceIP, requestsFromSourceIP } from '../support/claims/traffic.ts';
import { pingPod, pingPodUnderCapture } from '../support/claims/traffic-actions.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

When('{pod} pings {pod} {int} times', async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number) {
  this.lastPing = await pingPod(this.cluster, from, to, count);
  this.record(this.lastPing.observation.evidence);
});

When(
  '{pod} pings {pod} {int} times while {pod} captures its traffic',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number, on: PodInfo) {
    this.lastCapture = await pingPodUnderCapture(this.cluster, from, to, count, on);
    this.lastPing = this.lastCapture.ping;
    this.observe(this.lastCapture.observation);
  },
);

Then('every echo request is answered', function (this: PodNetWorld) {
  return this.verify(everyRequestAnswered(this.requirePing()));
});

Then('every reply carries TTL {int}', function (this: PodNetWorld, ttl: number) {
  return this.verify(everyReplyHasTtl(this.requirePing(), ttl));
});

Then('the capture shows the echo requests coming from the IP of {pod}', function (this: PodNetWorld, source: PodInfo) {
  return this.verify(requestsFromSourceIP(this.requireCapture(), source));
});

Then('the capture shows the echo replies going to the IP of {pod}', function (this: PodNetWorld, source: PodInfo) {
  return this.verify(repliesToSourceIP(this.requireCapture(), source));
});
