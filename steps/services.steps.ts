import { Then, When } from '@cucumber/cucumber';
import {
  captureShowsBackendNotClusterIP,
  clusterIPUnchanged,
  connectedByName,
  conntrackShowsTranslation,
  endpointChainsOnEveryNode,
  everyEndpointReceivedOne,
  oneBackendLogged,
  replicasReadyOnWorkers,
  replyHeaderStartsWith,
  replyStatusLine,
  rulesFollowReplacement,
  serviceChainOnEveryNode,
  serviceIsClusterIP,
  servicesChainJumpsOnEveryNode,
  sliceListsReadyPods,
  translatedOnClientNodeOnly,
} from '../support/claims/services.ts';
import { replaceOnePod, talkToService, type Replacement, type ServiceExchange } from '../support/claims/service-actions.ts';
import type { ServiceName } from '../support/subjects.ts';
import type { PodNetWorld } from '../support/world.ts';
import type { PodInfo } from '../support/domain.ts';

// Commands with their own bounds (nc -w, a 100-connection loop, a bounded wait for a replacement) outlast cucumber's 5 s.
const STEP_TIMEOUT = { timeout: 180_000 };

declare module '../support/seen.ts' {
  interface Seen {
    /** A pod's exchange with a Service: what it sent and got, the access logs, conntrack, captures. */
    serviceExchange: ServiceExchange;
    /** A Service's pod deleted and replaced by its controller: the old and the new. */
    replacement: Replacement;
  }
}

const lastExchange = (world: PodNetWorld): ServiceExchange => world.seen('serviceExchange', 'a When step that sends to a Service');
const lastReplacement = (world: PodNetWorld): Replacement => world.seen('replacement', 'the When step that deletes a pod of the Service');

/** Keeps a replacement for the Thens, and says in the report which pod replaced which. */
function keepReplacement(world: PodNetWorld, replaced: Replacement): void {
  world.saw('replacement', replaced);
  world.note(
    'replacement.txt',
    `deleted ${replaced.deleted.name} (${replaced.deleted.ip}); replaced by ${replaced.replacement.name} (${replaced.replacement.ip}) on ${replaced.replacement.node}`,
  );
}

/** `port 80/TCP named "http"` */
const portSpec = (port: number, protocol: string, name: string) => ({ name, port, protocol });

Then(
  'the {workload} Deployment has {int} pods, each Running and Ready with an IP from the pool, all on worker nodes',
  STEP_TIMEOUT,
  function (this: PodNetWorld, workload: string, replicas: number) {
    return this.verify(replicasReadyOnWorkers(this.cluster, workload, replicas));
  },
);

Then(
  'the Service {service} has type ClusterIP, a ClusterIP inside the Service CIDR, no external IP, and one port: {int}\\/{word} named {string}',
  STEP_TIMEOUT,
  function (this: PodNetWorld, service: ServiceName, port: number, protocol: string, name: string) {
    return this.verify(serviceIsClusterIP(this.cluster, service, portSpec(port, protocol, name)));
  },
);

Then(
  'the EndpointSlice of {service} is IPv4 with port {int}\\/{word} named {string}, its ready endpoints exactly the Ready pods its selector matches',
  STEP_TIMEOUT,
  function (this: PodNetWorld, service: ServiceName, port: number, protocol: string, name: string) {
    return this.verify(sliceListsReadyPods(this.cluster, service, portSpec(port, protocol, name)));
  },
);

When(
  '{pod} sends the line {string} to port {int} of the Service {service} by its name',
  STEP_TIMEOUT,
  async function (this: PodNetWorld, client: PodInfo, line: string, port: number, service: ServiceName) {
    this.saw('serviceExchange', await talkToService(this.cluster, client, service, port, line, { byName: true }));
  },
);

When(
  '{pod} sends the line {string} to port {int} of the ClusterIP of {service}',
  STEP_TIMEOUT,
  async function (this: PodNetWorld, client: PodInfo, line: string, port: number, service: ServiceName) {
    this.saw('serviceExchange', await talkToService(this.cluster, client, service, port, line, { byName: false }));
  },
);

When(
  '{pod} sends the line {string} to port {int} of the ClusterIP of {service} while every node is watched',
  STEP_TIMEOUT,
  async function (this: PodNetWorld, client: PodInfo, line: string, port: number, service: ServiceName) {
    this.saw('serviceExchange', await talkToService(this.cluster, client, service, port, line, { byName: false, watchNodes: true }));
  },
);

When(
  '{pod} opens {int} connections to port {int} of the ClusterIP of {service}',
  STEP_TIMEOUT,
  async function (this: PodNetWorld, client: PodInfo, count: number, port: number, service: ServiceName) {
    this.saw('serviceExchange', await talkToService(this.cluster, client, service, port, 'get', { byName: false, connections: count }));
  },
);

Then('the Service name resolved to its ClusterIP and the connection carried a reply', STEP_TIMEOUT, function (this: PodNetWorld) {
  return this.verify(connectedByName(this.cluster, lastExchange(this)));
});

Then('the reply starts with the status line {string}', STEP_TIMEOUT, function (this: PodNetWorld, statusLine: string) {
  return this.verify(replyStatusLine(lastExchange(this), statusLine));
});

Then('the reply has a {string} header starting with {string}', STEP_TIMEOUT, function (this: PodNetWorld, header: string, prefix: string) {
  return this.verify(replyHeaderStartsWith(lastExchange(this), header, prefix));
});

Then('exactly one backend of the Service logged the line {string}', STEP_TIMEOUT, function (this: PodNetWorld, line: string) {
  return this.verify(oneBackendLogged(lastExchange(this), line, false));
});

Then(
  "exactly one backend of the Service logged the line {string}, coming from the client pod's own IP",
  STEP_TIMEOUT,
  function (this: PodNetWorld, line: string) {
    return this.verify(oneBackendLogged(lastExchange(this), line, true));
  },
);

Then(
  "the conntrack table of the client's node maps the ClusterIP to the backend that answered",
  STEP_TIMEOUT,
  function (this: PodNetWorld) {
    return this.verify(conntrackShowsTranslation(this.cluster, lastExchange(this)));
  },
);

Then(
  "a DNAT rule of the Service's port {string} counted the connection on the client's node, and no other node translated it",
  STEP_TIMEOUT,
  function (this: PodNetWorld, portName: string) {
    return this.verify(translatedOnClientNodeOnly(this.cluster, lastExchange(this), portName));
  },
);

Then(
  "the client node's eth0 carried the connection to the backend pod's IP, never to the ClusterIP",
  STEP_TIMEOUT,
  function (this: PodNetWorld) {
    return this.verify(captureShowsBackendNotClusterIP(lastExchange(this)));
  },
);

Then('every backend of the Service received at least one of the connections', STEP_TIMEOUT, function (this: PodNetWorld) {
  return this.verify(everyEndpointReceivedOne(lastExchange(this)));
});

Then(
  "on every node, the nat table's KUBE-SERVICES sends port {string} of {service} to the chain kube-proxy names for it",
  STEP_TIMEOUT,
  function (this: PodNetWorld, portName: string, service: ServiceName) {
    return this.verify(servicesChainJumpsOnEveryNode(this.cluster, service, portName));
  },
);

Then(
  'on every node, the chain of port {string} of {service} marks clients from outside the cluster CIDR, then jumps to each ready endpoint with probability 1\\/\\(n-i)',
  STEP_TIMEOUT,
  function (this: PodNetWorld, portName: string, service: ServiceName) {
    return this.verify(serviceChainOnEveryNode(this.cluster, service, portName));
  },
);

Then(
  'on every node, each endpoint chain of port {string} of {service} holds the hairpin mark and the DNAT to its endpoint, nothing else',
  STEP_TIMEOUT,
  function (this: PodNetWorld, portName: string, service: ServiceName) {
    return this.verify(endpointChainsOnEveryNode(this.cluster, service, portName));
  },
);

When(
  'a {workload} pod of the Service {service} is deleted and its Deployment replaces it',
  STEP_TIMEOUT,
  async function (this: PodNetWorld, workload: string, service: ServiceName) {
    keepReplacement(this, await replaceOnePod(this.cluster, workload, service));
  },
);

Then(
  'on every node, the chain of port {string} jumps to the new pod and not to the deleted one',
  STEP_TIMEOUT,
  function (this: PodNetWorld, portName: string) {
    return this.verify(rulesFollowReplacement(this.cluster, lastReplacement(this), portName));
  },
);

Then('the ClusterIP of the Service is unchanged', STEP_TIMEOUT, function (this: PodNetWorld) {
  return this.verify(clusterIPUnchanged(this.cluster, lastReplacement(this)));
});
