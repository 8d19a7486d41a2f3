import { Then, When } from '@cucumber/cucumber';
import { lookupGetsPodIP } from '../support/claims/cluster-dns.ts';
import {
  kubernetesServiceAtFirstAddress,
  noNatRuleMentions,
  headlessConnectionGoesStraightToPod,
  within,
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
import { recreateStatefulSetPod } from '../support/claims/pod-actions.ts';
import type { ServiceName } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

/** A lookup that gets no answer waits for dig's or the resolver's bounded retries, longer than cucumber's 5 s default. */
const DNS_STEP_TIMEOUT = { timeout: 60_000 };

Then(
  'the StatefulSet {string} has ready pods named {string}, {string} and {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, statefulSet: string, a: string, b: string, c: string) {
    await this.verify(statefulSetReadyWithOrdinals(this.cluster, statefulSet, [a, b, c]));
  },
);

Then(
  "inside each pod of the StatefulSet {string}, hostname prints the pod's name",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, statefulSet: string) {
    await this.verify(statefulSetHostnames(this.cluster, statefulSet));
  },
);

Then(
  'Service {service} is of type ClusterIP with a clusterIP in the Service CIDR',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(serviceHasClusterIP(this.cluster, service));
  },
);

Then(
  'Service {service} is headless, with port {int}\\/{word}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, service: ServiceName, port: number, protocol: string) {
    await this.verify(serviceIsHeadless(this.cluster, service, port, protocol));
  },
);

Then('the kubernetes Service holds the first address of the Service CIDR', DNS_STEP_TIMEOUT, async function (this: PodNetWorld) {
  await this.verify(kubernetesServiceAtFirstAddress(this.cluster));
});

Then(
  'the EndpointSlice of Service {service} has one ready endpoint per pod of StatefulSet {string}, with the pod as hostname, its node, and port {word} {int}\\/{word}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, service: ServiceName, statefulSet: string, name: string, port: number, protocol: string) {
    await this.verify(sliceHasStatefulSetHostnames(this.cluster, service, statefulSet, { name, port, protocol }));
  },
);

Then(
  'the endpoints of Service {service} name their pod and node but have no hostname',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(sliceHasNoHostnames(this.cluster, service));
  },
);

Then('{pod} gets PONG from redis at {string}', DNS_STEP_TIMEOUT, async function (this: PodNetWorld, pod: PodInfo, host: string) {
  await this.verify(redisAnswersPing(this.cluster, pod, host));
});

Then(
  'redis at {string}, asked from {pod}, is a master with online replicas announced as {string} and {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, host: string, pod: PodInfo, a: string, b: string) {
    await this.verify(redisMasterReplicas(this.cluster, pod, host, [a, b]));
  },
);

Then(
  'redis at {string}, asked from {pod}, is a read-only replica of {string} port {int}, its link up',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, host: string, pod: PodInfo, master: string, port: number) {
    await this.verify(redisReplicaOf(this.cluster, pod, host, master, port));
  },
);

Then(
  'a key set through redis at {string} from {pod} is read back from {string} and {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, master: string, pod: PodInfo, a: string, b: string) {
    await this.verify(redisWriteReplicates(this.cluster, pod, master, [a, b]));
  },
);

Then(
  'a write through redis at {string} from {pod} is refused as READONLY',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, replica: string, pod: PodInfo) {
    await this.verify(redisReplicaRefusesWrites(this.cluster, pod, replica));
  },
);

Then(
  'on every node, no rule of the nat table mentions Service {service}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, service: ServiceName) {
    await this.verify(noNatRuleMentions(this.cluster, service));
  },
);

When(
  'the pod {string} of StatefulSet {string} is deleted and the StatefulSet has recreated it',
  { timeout: 180_000 },
  async function (this: PodNetWorld, name: string, statefulSet: string) {
    this.note(`recreated-${name}.txt`, await recreateStatefulSetPod(this.cluster, statefulSet, name));
  },
);

Then(
  'within {int} s, {pod} looking up {string} with its search list gets exactly the IP of pod {string}',
  { timeout: 180_000 },
  async function (this: PodNetWorld, seconds: number, subject: PodInfo, name: string, pod: string) {
    await this.verify(within(this.cluster, seconds, () => lookupGetsPodIP(this.cluster, subject, name, pod)));
  },
);

Then(
  'within {int} s, redis at {string}, asked from {pod}, is a read-only replica of {string} port {int}, its link up',
  { timeout: 180_000 },
  async function (this: PodNetWorld, seconds: number, host: string, pod: PodInfo, master: string, port: number) {
    await this.verify(within(this.cluster, seconds, () => redisReplicaOf(this.cluster, pod, host, master, port)));
  },
);

Then(
  "during a redis PING from {pod} to {string}, its capture shows the connection addressed to a pod of Service {service} from the DNS answer, and that pod's capture shows it coming from the client's own IP",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, host: string, service: ServiceName) {
    await this.verify(headlessConnectionGoesStraightToPod(this.cluster, pod, host, service, 6379));
  },
);
