import { Then, When } from '@cucumber/cucumber';
import { everyReplyHasTtl, everyRequestAnswered, repliesToSourceIP, requestsFromSourceIP } from '../support/claims/traffic.ts';
import { pingPod, pingPodUnderCapture, type CaptureSeen } from '../support/claims/traffic-actions.ts';
import type { PodInfo } from '../support/domain.ts';
import type { PodNetWorld } from '../support/world.ts';

const PINGS = 'a When step that pings';

/** Keeps a ping under capture as two records, the capture and the ping (which the ping's Thens read alone), and attaches its evidence. */
function keepPingCapture(world: PodNetWorld, capture: CaptureSeen): void {
  world.saw('ping', world.saw('capture', capture).ping);
  world.observe(capture.observation);
}
const CAPTURES = 'a When step that pings while a pod captures';

When('{pod} pings {pod} {int} times', async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number) {
  this.record(this.saw('ping', await pingPod(this.cluster, from, to, count)).observation.evidence);
});

When(
  '{pod} pings {pod} {int} times while {pod} captures its traffic',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number, on: PodInfo) {
    keepPingCapture(this, await pingPodUnderCapture(this.cluster, from, to, count, on));
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
