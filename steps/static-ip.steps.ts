import { Given, Then, When } from '@cucumber/cucumber';
import {
  calicoAnnotationsOf,
  podEventSays,
  podHasRequestedAddress,
  podKeptAddress,
  podStuckCreating,
  requestedAddressIsReserved,
  reservationAsDeclared,
  reservationKeptFromAutomaticAssignment,
} from '../support/claims/fixed-address.ts';
import { createPodsOn } from '../support/claims/pod-actions.ts';
import { annotateWithManifestIpAddrs, applyLessonIpReservation, createPodFromManifest } from '../support/claims/static-ip-actions.ts';
import { ipReservationFrom } from '../support/manifests.ts';
import type { Placement } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

Given("the lesson's IPReservation {string} is applied", { timeout: 30_000 }, function (this: PodNetWorld, name: string) {
  return applyLessonIpReservation(this.cluster, name, this.keepUndo);
});

Then("the IPReservation {string} reserves exactly what the lesson's manifest says", async function (this: PodNetWorld, name: string) {
  await this.verify(reservationAsDeclared(this.cluster, ipReservationFrom(name)));
});

// Creating pods (and waiting for a live cluster to run them) takes longer than a step's default 5 s.
const POD_CREATION = { timeout: 180_000 };

When(
  "a pod is created from the lesson's manifest {string}, called {string}",
  POD_CREATION,
  async function (this: PodNetWorld, manifest: string, alias: string) {
    this.created(alias, await createPodFromManifest(this.cluster, manifest));
  },
);

When('{int} new pods are created on {placement}', POD_CREATION, async function (this: PodNetWorld, count: number, placement: Placement) {
  return createPodsOn(this.cluster, count, placement, this.pods, (alias, pod) => this.created(alias, pod));
});

Then(
  'no pod without an ipAddrs annotation, and no tunnel address, holds an address reserved by {string}',
  async function (this: PodNetWorld, name: string) {
    await this.verify(reservationKeptFromAutomaticAssignment(this.cluster, name));
  },
);

Then('{pod} has the address its ipAddrs annotation asks for, as its IP and on eth0', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(podHasRequestedAddress(this.cluster, pod));
});

Then('the address {pod} asks for is reserved by {string}', async function (this: PodNetWorld, pod: PodInfo, name: string) {
  await this.verify(requestedAddressIsReserved(this.cluster, pod, name));
});

Then(
  "the annotations of {pod} hold its ipAddrs request and Calico's podIP, its IP as a \\/32",
  async function (this: PodNetWorld, pod: PodInfo) {
    await this.verify(calicoAnnotationsOf(this.cluster, pod));
  },
);

Then('{pod} stays ContainerCreating with no IP', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(podStuckCreating(this.cluster, pod));
});

Then(
  'the events of {pod} include {string} saying {string}',
  async function (this: PodNetWorld, pod: PodInfo, reason: string, text: string) {
    await this.verify(podEventSays(this.cluster, pod, reason, text));
  },
);

When(
  "{pod} is annotated with the ipAddrs request of the lesson's manifest {string}",
  function (this: PodNetWorld, pod: PodInfo, manifest: string) {
    return annotateWithManifestIpAddrs(this.cluster, pod, manifest);
  },
);

Then('{pod} keeps the IP it had, on eth0 too', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(podKeptAddress(this.cluster, pod));
});
