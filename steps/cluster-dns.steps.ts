import { Given, Then, type DataTable } from '@cucumber/cucumber';
import {
  answerComesFromDnsService,
  deploymentPodNameIsNxdomain,
  dnsEndpointsAreCoreDnsPods,
  dnsServiceShape,
  lookupGetsClusterIP,
  lookupGetsNoAddress,
  lookupGetsPodIP,
  lookupGetsReadyPods,
  lookupIsNxdomain,
  lookupMatchesUpstream,
  podRecordResolves,
  srvPerStatefulSetPod,
} from '../support/claims/cluster-dns.ts';
import type { Placement } from '../support/subjects.ts';
import { choosePod } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';

Given('a {workload} pod of namespace {string} on {placement}, called {string}', async function (this: PodNetWorld, workload: string, namespace: string, placement: Placement, alias: string) {
  this.name(alias, await choosePod(this.cluster, workload, placement, this.pods, namespace));
});

Then('the kube-dns Service is a ClusterIP Service at the tenth address of the Service CIDR, with the ports:', async function (this: PodNetWorld, table: DataTable) {
  const ports = table.hashes().map((row) => ({ name: row.name as string, port: Number(row.port), protocol: row.protocol as string }));
  await this.verify(dnsServiceShape(this.cluster, ports));
});

Then("the ready endpoints of the kube-dns Service are exactly the Ready CoreDNS pods, with the Service's ports", async function (this: PodNetWorld) {
  await this.verify(dnsEndpointsAreCoreDnsPods(this.cluster));
});

Then('{string} looking up {string} without its search list is answered for {string} with no A record', async function (this: PodNetWorld, alias: string, name: string, question: string) {
  await this.verify(lookupGetsNoAddress(this.cluster, this.pod(alias), name, {}, question));
});

Then('{string} looking up {string} with its search list gets no A record', async function (this: PodNetWorld, alias: string, name: string) {
  await this.verify(lookupGetsNoAddress(this.cluster, this.pod(alias), name, { search: true }));
});

Then('{string} looking up {string} gets NXDOMAIN', async function (this: PodNetWorld, alias: string, name: string) {
  await this.verify(lookupIsNxdomain(this.cluster, this.pod(alias), name));
});

Then('{string} looking up {string} with its search list asks for {string} and gets exactly the ClusterIP of Service {string}, with TTL at most {int}', async function (this: PodNetWorld, alias: string, name: string, question: string, service: string, ttl: number) {
  await this.verify(lookupGetsClusterIP(this.cluster, this.pod(alias), name, { search: true }, question, service, ttl));
});

Then('{string} looking up {string} gets exactly the ClusterIP of Service {string}, with TTL at most {int}', async function (this: PodNetWorld, alias: string, name: string, service: string, ttl: number) {
  await this.verify(lookupGetsClusterIP(this.cluster, this.pod(alias), name, {}, undefined, service, ttl));
});

Then('{string} looking up {string} with its search list is answered by the kube-dns ClusterIP on port 53', async function (this: PodNetWorld, alias: string, name: string) {
  await this.verify(answerComesFromDnsService(this.cluster, this.pod(alias), name));
});

Then("{string} looking up {string} gets the same A records as its node's upstream resolver", async function (this: PodNetWorld, alias: string, name: string) {
  await this.verify(lookupMatchesUpstream(this.cluster, this.pod(alias), name));
});

Then('{string} looking up the pod record of {string} gets its IP', async function (this: PodNetWorld, alias: string, target: string) {
  await this.verify(podRecordResolves(this.cluster, this.pod(alias), this.pod(target)));
});

Then('{string} looking up {string} with its search list gets one A record per ready pod of Service {string}, and no ClusterIP', async function (this: PodNetWorld, alias: string, name: string, service: string) {
  await this.verify(lookupGetsReadyPods(this.cluster, this.pod(alias), name, service));
});

Then('{string} looking up {string} with its search list gets exactly the IP of pod {string}', async function (this: PodNetWorld, alias: string, name: string, pod: string) {
  await this.verify(lookupGetsPodIP(this.cluster, this.pod(alias), name, pod));
});

Then("{string} looking up a selected pod's own name under Service {string} gets NXDOMAIN", async function (this: PodNetWorld, alias: string, service: string) {
  await this.verify(deploymentPodNameIsNxdomain(this.cluster, this.pod(alias), service));
});

Then(
  "{string} asking for the SRV records of {string} gets one per pod of StatefulSet {string}, with port {int} and the pod's name under Service {string} as target",
  async function (this: PodNetWorld, alias: string, name: string, statefulSet: string, port: number, service: string) {
    await this.verify(srvPerStatefulSetPod(this.cluster, this.pod(alias), name, statefulSet, service, port));
  },
);
