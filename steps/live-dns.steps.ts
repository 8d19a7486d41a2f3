import { Then, type DataTable } from '@cucumber/cucumber';
import {
  coreDnsMetrics,
  corefileHolds,
  nodeResolvConfIsDockers,
  replicaLogsShowDiscovery,
  statefulSetStartedInOrder,
} from '../support/claims/live-dns.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

/** A lookup that gets no answer waits for dig's or the resolver's bounded retries, longer than cucumber's 5 s default. */
const DNS_STEP_TIMEOUT = { timeout: 60_000 };

Then('the Corefile of the cluster DNS holds the lines:', DNS_STEP_TIMEOUT, async function (this: PodNetWorld, table: DataTable) {
  await this.verify(
    corefileHolds(
      this.cluster,
      table.raw().map((row) => (row[0] ?? '').trim()),
    ),
  );
});

Then(
  'every CoreDNS pod serves Prometheus metrics with coredns_ families on port 9153 to {pod}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: PodInfo) {
    await this.verify(coreDnsMetrics(this.cluster, pod));
  },
);

Then(
  "every node's resolv.conf names its network's gateway, searches no cluster.local domain and sets ndots:0",
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld) {
    await this.verify(nodeResolvConfIsDockers(this.cluster));
  },
);

Then(
  'the StatefulSet {string} created each pod only after the one before it was Ready',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, statefulSet: string) {
    await this.verify(statefulSetStartedInOrder(this.cluster, statefulSet));
  },
);

Then(
  'the logs of {string} show it waiting for its master, then connecting to {string}',
  DNS_STEP_TIMEOUT,
  async function (this: PodNetWorld, pod: string, master: string) {
    await this.verify(replicaLogsShowDiscovery(this.cluster, pod, master));
  },
);
