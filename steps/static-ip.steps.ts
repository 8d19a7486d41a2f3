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
import { createPodOn } from '../support/claims/lifecycle.ts';
import { IP_ADDRS_ANNOTATION } from '../support/net/calico.ts';
import { ipReservationFrom, podRequestFrom } from '../support/manifests.ts';
import type { Placement } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

Given("the lesson's IPReservation {string} is applied", { timeout: 30_000 }, async function (this: PodNetWorld, name: string) {
  const { cluster } = this;
  const reservation = ipReservationFrom(name);
  // Applied only when absent, and deleted afterwards only then: a cluster that had it keeps it.
  if (await cluster.applyIpReservation(reservation))
    this.changed(`IPReservation ${reservation.name}`, () => cluster.deleteIpReservation(reservation.name));
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
    const request = { ...podRequestFrom(manifest, this.cluster.workloadNamespace), allowSandboxFailure: true };
    this.created(alias, await this.cluster.createPod(request));
  },
);

When('{int} new pods are created on {placement}', POD_CREATION, async function (this: PodNetWorld, count: number, placement: Placement) {
  for (let index = 1; index <= count; index++) this.created(`new pod ${index}`, await createPodOn(this.cluster, placement, this.pods));
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
  async function (this: PodNetWorld, subject: PodInfo, manifest: string) {
    const pod = subject;
    const wanted = podRequestFrom(manifest, pod.namespace).annotations?.[IP_ADDRS_ANNOTATION];
    if (!wanted) throw new Error(`the manifest ${manifest} has no ${IP_ADDRS_ANNOTATION} annotation`);
    await this.cluster.annotatePod(pod.namespace, pod.name, { [IP_ADDRS_ANNOTATION]: wanted });
  },
);

Then('{pod} keeps the IP it had, on eth0 too', async function (this: PodNetWorld, pod: PodInfo) {
  await this.verify(podKeptAddress(this.cluster, pod));
});
