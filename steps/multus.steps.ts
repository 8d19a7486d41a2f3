/** Lessons 21 and 22: Multus' second network (macvlan, ipvlan) on each node's eth2. */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import type { PodInfo } from '../support/domain.ts';
import {
  ceosTables,
  nadAsCourse,
  onlyOnSecondary,
  ownMac,
  parentMacShared,
  podsAttachedToAny,
  noIcmpOn,
  secondaryAddressesDistinct,
  routerLearnsSecondary,
  routerPortOf,
  routerSeesParentMacs,
  routesWithSecondary,
  secondaryAddress,
  secondaryOnParent,
  secondaryPingAnswered,
  upWithoutAddress,
  workloadDistinctInRange,
  type SecondaryPingSeen,
} from '../support/claims/multus.ts';
import { cniBinaries, cniConfDir, crdsExist, multusConfig, onePodPerNode } from '../support/claims/multus-install.ts';
import { pingNadGateway, pingNet1Of } from '../support/claims/multus-actions.ts';
import { secondaryLink } from '../support/probes/secondary.ts';
import { nodeTarget, podTarget } from '../support/subjects.ts';
import { topologySpec } from '../support/topology-clusters.ts';
import type { PodNetWorld } from '../support/world.ts';

// The course's names: Multus calls the first secondary interface net1; the nodes' VLAN link is eth2.
const NET1 = 'net1';
const PARENT = 'eth2';

declare module '../support/seen.ts' {
  interface Seen {
    /** A ping over net1, with the captures on the node's eth2 and eth1 around it. */
    secondaryPing: SecondaryPingSeen;
  }
}

const lastSecondaryPing = (world: PodNetWorld): SecondaryPingSeen => world.seen('secondaryPing', 'a When step that pings over net1');

function routerLinks(world: PodNetWorld) {
  const routed = topologySpec(world.topology).routed;
  if (!routed) throw new Error(`topology ${world.topology} has no router`);
  return routed.links;
}

Then('on every node eth2 is UP with its carrier and holds no IPv4 address', function (this: PodNetWorld) {
  return this.verify(upWithoutAddress(this.cluster, PARENT));
});

Then(
  "the NetworkAttachmentDefinition {string} exists in namespace {string} with the configuration of the course's manifest",
  function (this: PodNetWorld, name: string, namespace: string) {
    return this.verify(nadAsCourse(this.cluster, name, namespace === 'default' ? this.cluster.workloadNamespace : namespace));
  },
);

Then(
  "net1 of {pod} is an {word} link in mode {word} on its node's eth2, at its MTU, with one address of the range of {string} and not its gateway",
  function (this: PodNetWorld, pod: PodInfo, kind: string, mode: string, nad: string) {
    return this.verify(secondaryOnParent(this.cluster, pod, NET1, kind, mode, PARENT, nad));
  },
);

Then(
  "net1 of {pod} has a MAC of its own: neither its node's eth2 MAC nor the net1 MAC of another pod attached to {string}",
  function (this: PodNetWorld, pod: PodInfo, nad: string) {
    return this.verify(ownMac(this.cluster, pod, NET1, PARENT, nad));
  },
);

Then("net1 of {pod} has its node's eth2 MAC", function (this: PodNetWorld, pod: PodInfo) {
  return this.verify(parentMacShared(this.cluster, [pod], NET1, PARENT));
});

Then(
  "every pod attached to {string} or {string} has its node's eth2 MAC on net1, and no two net1 addresses are the same",
  async function (this: PodNetWorld, a: string, b: string) {
    const pods = await podsAttachedToAny(this.cluster, [a, b]);
    await this.verify(parentMacShared(this.cluster, pods, NET1, PARENT));
    await this.verify(secondaryAddressesDistinct(this.cluster, pods, NET1));
  },
);

Then(
  'the routing table of {pod} is exactly, with <net1 subnet> and <net1 IP> read from its net1:',
  function (this: PodNetWorld, pod: PodInfo, table: DataTable) {
    return this.verify(
      routesWithSecondary(
        this.cluster,
        pod,
        NET1,
        table.raw().map((row) => row.join(' ')),
      ),
    );
  },
);

Then(
  'every {workload} pod holds on net1 one address of the range of {string}, and no two the same',
  async function (this: PodNetWorld, workload: string, nad: string) {
    await this.verify(workloadDistinctInRange(this.cluster, workload, NET1, nad));
  },
);

When(
  '{pod} pings the gateway of {string} {int} times while the eth2 and eth1 of its node are captured',
  async function (this: PodNetWorld, from: PodInfo, nad: string, count: number) {
    this.saw('secondaryPing', this.observe(await pingNadGateway(this.cluster, from, nad, count)));
  },
);

When(
  '{pod} pings the net1 address of {pod} {int} times while the eth2 and eth1 of its node are captured',
  async function (this: PodNetWorld, from: PodInfo, to: PodInfo, count: number) {
    this.saw('secondaryPing', this.observe(await pingNet1Of(this.cluster, from, to, count)));
  },
);

Then('every echo request over net1 is answered with TTL {int}', function (this: PodNetWorld, ttl: number) {
  return this.verify(secondaryPingAnswered(lastSecondaryPing(this), ttl));
});

Then('the echo requests left by eth2 from the net1 address, and eth1 carried none of the ICMP', function (this: PodNetWorld) {
  return this.verify(onlyOnSecondary(lastSecondaryPing(this), PARENT, 'eth1'));
});

Then(
  "the router answers a ping to the net1 address of {pod}, has learnt net1's MAC on the port facing its node's eth2, and maps the address to it",
  function (this: PodNetWorld, pod: PodInfo) {
    return this.verify(routerLearnsSecondary(this.cluster, this.router(), pod, NET1, routerPortOf(routerLinks(this), pod.node, PARENT)));
  },
);

Then(
  "the router learns on each node's port only that node's eth2 MAC, and maps the net1 address of every pod attached to {string} or {string} to it",
  async function (this: PodNetWorld, a: string, b: string) {
    const pods = await podsAttachedToAny(this.cluster, [a, b]);
    const links = routerLinks(this);
    await this.verify(routerSeesParentMacs(this.cluster, this.router(), pods, NET1, PARENT, (node) => routerPortOf(links, node, PARENT)));
  },
);

async function ceosRows(world: PodNetWorld, pods: PodInfo[], useParentMac: boolean) {
  const links = routerLinks(world);
  return Promise.all(
    pods.map(async (pod) => {
      const ip = (await secondaryAddress(world.cluster, pod, NET1)).cidrs[0]?.split('/')[0] ?? '';
      const mac = useParentMac
        ? ((await secondaryLink(world.cluster, nodeTarget(pod.node), PARENT)).value.mac as string)
        : (await secondaryLink(world.cluster, podTarget(pod), NET1)).value.mac;
      // cEOS names its ports Ethernet<N> where containerlab wired eth<N>.
      const port = routerPortOf(links, pod.node, PARENT)?.replace(/^eth/, 'Ethernet');
      return { pod, ip, mac, port };
    }),
  );
}

Then(
  "the switch's JSON tables for VLAN {int} list net1's MAC of {pod} as dynamic on its node's port, map the net1 address to it, and its ping of that address loses nothing",
  async function (this: PodNetWorld, vlan: number, pod: PodInfo) {
    await this.verify(ceosTables(this.cluster, this.router(), vlan, await ceosRows(this, [pod], false), 'own-mac-per-pod'));
  },
);

Then(
  "the switch's JSON tables for VLAN {int} hold one MAC per port with pods attached to {string} or {string}, and map their net1 addresses to their node's eth2 MAC",
  async function (this: PodNetWorld, vlan: number, a: string, b: string) {
    const pods = await podsAttachedToAny(this.cluster, [a, b]);
    await this.verify(ceosTables(this.cluster, this.router(), vlan, await ceosRows(this, pods, true), 'node-mac-per-port'));
  },
);

Then(
  'in namespace {string} the pods labelled {string} run one per node, each Running and ready',
  function (this: PodNetWorld, namespace: string, label: string) {
    return this.verify(onePodPerNode(this.cluster, namespace, label));
  },
);

Then(
  'on every node \\/etc\\/cni\\/net.d holds {string}, and {string} sorts first',
  function (this: PodNetWorld, entries: string, first: string) {
    return this.verify(cniConfDir(this.cluster, entries.split(/,\s*/), first));
  },
);

Then(
  'on every node the Multus configuration {string} has type multus, name {string}, kubeconfig {string}, and delegates first to {string} with the plugins {string}',
  function (this: PodNetWorld, file: string, name: string, kubeconfig: string, delegate: string, plugins: string) {
    return this.verify(multusConfig(this.cluster, file, { name, kubeconfig, delegate, plugins: plugins.split(/,\s*/) }));
  },
);

Then('on every node \\/opt\\/cni\\/bin holds the executables {string}', function (this: PodNetWorld, binaries: string) {
  return this.verify(cniBinaries(this.cluster, binaries.split(/,\s*/)));
});

Then('the CustomResourceDefinitions {string} exist', function (this: PodNetWorld, names: string) {
  return this.verify(crdsExist(this.cluster, names.split(/,\s*/)));
});

Then('neither eth2 nor eth1 of the node carried any of the ICMP', function (this: PodNetWorld) {
  return this.verify(noIcmpOn(lastSecondaryPing(this), [PARENT, 'eth1']));
});
