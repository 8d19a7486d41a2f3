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
  searchWalkSeen,
  dnsQueryTranslatedOnNode,
  srvPerStatefulSetPod,
} from '../support/claims/cluster-dns.ts';
import type { Placement } from '../support/subjects.ts';
import { choosePod } from '../support/subjects.ts';
import type { ServiceName } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

/** A lookup that gets no answer waits for dig's or the resolver's bounded retries, longer than cucumber's 5 s default. */
const DNS_STEP_TIMEOUT = { timeout: 60_000 };

Given(
  'a {workload} pod of namespace {string} on {placement}, called {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, workload: string, namespace: string, placement: Placement, alias: string) {
    this.name(alias, await choosePod(this.cluster, workload, placement, this.pods, namespace));
  },
);

Then(
  'the kube-dns Service is a ClusterIP Service at the tenth address of the Service CIDR, with the ports:',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, table: DataTable) {
    const ports = table.hashes().map((row) => ({ name: row.name as string, port: Number(row.port), protocol: row.protocol as string }));
    await this.verify(dnsServiceShape(this.cluster, ports));
  },
);

Then(
  "the ready endpoints of the kube-dns Service are exactly the Ready CoreDNS pods, with the Service's ports",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld) {
    await this.verify(dnsEndpointsAreCoreDnsPods(this.cluster));
  },
);

Then(
  '{pod} looking up {string} without its search list is answered for {string} with no A record',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, question: string) {
    await this.verify(lookupGetsNoAddress(this.cluster, pod, name, {}, question));
  },
);

Then(
  '{pod} looking up {string} with its search list gets no A record',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string) {
    await this.verify(lookupGetsNoAddress(this.cluster, pod, name, { search: true }));
  },
);

Then('{pod} looking up {string} gets NXDOMAIN', DNS_STEP_TIMEOUT, async function (this: PodNetWorld, pod: PodInfo, name: string) {
  await this.verify(lookupIsNxdomain(this.cluster, pod, name));
});

Then(
  '{pod} looking up {string} with its search list asks for {string} and gets exactly the ClusterIP of Service {service}, with TTL at most {int}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, question: string, service: ServiceName, ttl: number) {
    await this.verify(lookupGetsClusterIP(this.cluster, pod, name, { search: true }, question, service, ttl));
  },
);

Then(
  '{pod} looking up {string} gets exactly the ClusterIP of Service {service}, with TTL at most {int}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, service: ServiceName, ttl: number) {
    await this.verify(lookupGetsClusterIP(this.cluster, pod, name, {}, undefined, service, ttl));
  },
);

Then(
  '{pod} looking up {string} with its search list is answered by the kube-dns ClusterIP on port 53',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string) {
    await this.verify(answerComesFromDnsService(this.cluster, pod, name));
  },
);

Then(
  "{pod} looking up {string} gets the same A records as its node's upstream resolver",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string) {
    await this.verify(lookupMatchesUpstream(this.cluster, pod, name));
  },
);

Then(
  '{pod} looking up the pod record of {pod} gets its IP',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, target: PodInfo) {
    await this.verify(podRecordResolves(this.cluster, pod, target));
  },
);

Then(
  '{pod} looking up {string} with its search list gets one A record per ready pod of Service {service}, and no ClusterIP',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, service: ServiceName) {
    await this.verify(lookupGetsReadyPods(this.cluster, pod, name, service));
  },
);

Then(
  '{pod} looking up {string} with its search list gets exactly the IP of pod {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, subject: PodInfo, name: string, pod: string) {
    await this.verify(lookupGetsPodIP(this.cluster, subject, name, pod));
  },
);

Then(
  "{pod} looking up a selected pod's own name under Service {service} gets NXDOMAIN",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, service: ServiceName) {
    await this.verify(deploymentPodNameIsNxdomain(this.cluster, pod, service));
  },
);

Then(
  "{pod} asking for the SRV records of {string} gets one per pod of StatefulSet {string}, with port {int} and the pod's name under Service {service} as target",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, statefulSet: string, port: number, service: ServiceName) {
    await this.verify(srvPerStatefulSetPod(this.cluster, pod, name, statefulSet, service, port));
  },
);

Then(
  'a capture on {pod} during its lookup of {string} with its search list shows, in order, these queries answered by the cluster DNS:',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, name: string, table: DataTable) {
    const expected = table.hashes().map((row) => ({ query: row.query as string, rcode: row.answer as string }));
    await this.verify(searchWalkSeen(this.cluster, pod, name, expected));
  },
);

Then(
  "the node of {pod} sends kube-dns's ports to kube-proxy's chains, and its conntrack maps the pod's DNS queries to a kube-dns endpoint:",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo, table: DataTable) {
    await this.verify(
      dnsQueryTranslatedOnNode(
        this.cluster,
        pod,
        table.hashes().map((row) => ({ port: row.port as string, chain: row.chain as string })),
      ),
    );
  },
);
