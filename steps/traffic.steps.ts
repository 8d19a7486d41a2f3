import { Then, When } from '@cucumber/cucumber';
import { everyReplyHasTtl, everyRequestAnswered, repliesToSourceIP, requestsFromSourceIP } from '../support/claims/traffic.ts';
import { pingPod, pingPodUnderCapture } from '../support/claims/traffic-actions.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

const PINGS = 'a When step that pings';
const CAPTURES = 'a When step that pings while a pod captures';

When('{pod} pings {pod} {int} times', async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number) {
  this.record(this.saw('ping', await pingPod(this.cluster, from, to, count)).observation.evidence);
});

When(
  '{pod} pings {pod} {int} times while {pod} captures its traffic',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number, on: PodInfo) {
    const capture = this.saw('capture', await pingPodUnderCapture(this.cluster, from, to, count, on));
    this.saw('ping', capture.ping);
    this.observe(capture.observation);
  },
);

Then('every echo request is answered', function (this: PodNetWorld) {
  return this.verify(everyRequestAnswered(this.seen('ping', PINGS)));
});

Then('every reply carries TTL {int}', function (this: PodNetWorld, ttl: number) {
  return this.verify(everyReplyHasTtl(this.seen('ping', PINGS), ttl));
});

Then('the capture shows the echo requests coming from the IP of {pod}', function (this: PodNetWorld, source: PodInfo) {
  return this.verify(requestsFromSourceIP(this.seen('capture', CAPTURES), source));
});

Then('the capture shows the echo replies going to the IP of {pod}', function (this: PodNetWorld, source: PodInfo) {
  return this.verify(repliesToSourceIP(this.seen('capture', CAPTURES), source));
});
