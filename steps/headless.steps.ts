import { Then } from '@cucumber/cucumber';
import {
  kubernetesServiceAtFirstAddress,
  redisAnswersPing,
  redisMasterReplicas,
  redisReplicaOf,
  redisReplicaRefusesWrites,
  redisWriteReplicates,
  serviceHasClusterIP,
  serviceIsHeadless,
  sliceHasNoHostnames,
  sliceHasStatefulSetHostnames,
  statefulSetHostnames,
  statefulSetReadyWithOrdinals,
} from '../support/claims/headless.ts';
import type { PodNetWorld } from '../support/world.ts';

Then('the StatefulSet {string} has ready pods named {string}, {string} and {string}', async function (this: PodNetWorld, statefulSet: string, a: string, b: string, c: string) {
  await this.verify(statefulSetReadyWithOrdinals(this.cluster, statefulSet, [a, b, c]));
});

Then("inside each pod of the StatefulSet {string}, hostname prints the pod's name", async function (this: PodNetWorld, statefulSet: string) {
  await this.verify(statefulSetHostnames(this.cluster, statefulSet));
});

Then('Service {string} is of type ClusterIP with a clusterIP in the Service CIDR', async function (this: PodNetWorld, service: string) {
  await this.verify(serviceHasClusterIP(this.cluster, service));
});

Then('Service {string} is headless, with port {int}\\/{word}', async function (this: PodNetWorld, service: string, port: number, protocol: string) {
  await this.verify(serviceIsHeadless(this.cluster, service, port, protocol));
});

Then('the kubernetes Service holds the first address of the Service CIDR', async function (this: PodNetWorld) {
  await this.verify(kubernetesServiceAtFirstAddress(this.cluster));
});

Then(
  'the EndpointSlice of Service {string} has one ready endpoint per pod of StatefulSet {string}, with the pod as hostname, its node, and port {word} {int}\\/{word}',
  async function (this: PodNetWorld, service: string, statefulSet: string, name: string, port: number, protocol: string) {
    await this.verify(sliceHasStatefulSetHostnames(this.cluster, service, statefulSet, { name, port, protocol }));
  },
);

Then('the endpoints of Service {string} name their pod and node but have no hostname', async function (this: PodNetWorld, service: string) {
  await this.verify(sliceHasNoHostnames(this.cluster, service));
});

Then('{string} gets PONG from redis at {string}', async function (this: PodNetWorld, alias: string, host: string) {
  await this.verify(redisAnswersPing(this.cluster, this.pod(alias), host));
});

Then('redis at {string}, asked from {string}, is a master with online replicas announced as {string} and {string}', async function (this: PodNetWorld, host: string, alias: string, a: string, b: string) {
  await this.verify(redisMasterReplicas(this.cluster, this.pod(alias), host, [a, b]));
});

Then('redis at {string}, asked from {string}, is a read-only replica of {string} port {int}, its link up', async function (this: PodNetWorld, host: string, alias: string, master: string, port: number) {
  await this.verify(redisReplicaOf(this.cluster, this.pod(alias), host, master, port));
});

Then('a key set through redis at {string} from {string} is read back from {string} and {string}', async function (this: PodNetWorld, master: string, alias: string, a: string, b: string) {
  await this.verify(redisWriteReplicates(this.cluster, this.pod(alias), master, [a, b]));
});

Then('a write through redis at {string} from {string} is refused as READONLY', async function (this: PodNetWorld, replica: string, alias: string) {
  await this.verify(redisReplicaRefusesWrites(this.cluster, this.pod(alias), replica));
});
