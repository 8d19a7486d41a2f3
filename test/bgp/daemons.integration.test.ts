/**
 * BIRD and FRR as the lab runs them, on a small topology this test builds itself under its
 * own lab prefix: a router namespace with a bridge (10.10.10.1/24) and two node namespaces
 * with eth1 on it. Real daemons, real sessions, real kernel routes. Needs root, bird2, frr.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { labDown } from '../../support/lab/lab.ts';
import { runBatch } from '../../support/lab/kernel.ts';
import { labObjectPrefix } from '../../support/lab/naming.ts';
import { calicoBgpObjectsFrom } from '../../support/net/calico-bgp.ts';
import { renderFrrConfig } from '../../support/lab/bgp/frr-config.ts';
import { birdc, configureFrr, vtysh } from '../../support/lab/bgp/daemons.ts';
import { renderedConfigs, rerender, settle, startBgp, type BgpLabPlan } from '../../support/lab/bgp/speakers.ts';
import { bgpSessionState, parseBirdProtocols } from '../../support/parse/bird.ts';
import { parseFrrAdvertisedRoutes, parseFrrBgpSummary, parseFrrIpRoutes, parseFrrPrefixPaths } from '../../support/parse/frr.ts';
import { run } from '../../support/exec/run.ts';

const LAB = 'bgp-daemons';
const prefix = labObjectPrefix(LAB);
const routerNetns = `${prefix}router`;
const nodes = [
  { name: 'node-a', ip: '10.10.10.11', block: '192.168.1.0/26' },
  { name: 'node-b', ip: '10.10.10.12', block: '192.168.2.0/26' },
];

function manifests(
  extra: { peerAs?: number; selector?: string; lb?: boolean; exportPool?: boolean; communities?: boolean } = {},
): string[] {
  return [
    `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: { name: default }
spec:
  asNumber: 65010
  nodeToNodeMeshEnabled: false
${extra.lb ? '  serviceLoadBalancerIPs: [{ cidr: 172.16.0.240/28 }]\n' : ''}${extra.communities ? '  prefixAdvertisements: [{ cidr: 192.168.0.0/17, communities: ["65010:100"] }]\n' : ''}`,
    `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: { name: tor }
spec: { peerIP: 10.10.10.1, asNumber: ${extra.peerAs ?? 65001}, nodeSelector: '${extra.selector ?? 'all()'}' }`,
    `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: default-ipv4-ippool }
spec: { cidr: 192.168.0.0/17, blockSize: 26, vxlanMode: Never, ipipMode: Never, disableBGPExport: ${!extra.exportPool} }`,
  ];
}

function plan(objects = manifests(), routerAs = 65001, labels: Record<string, Record<string, string>> = {}): BgpLabPlan {
  return {
    labName: LAB,
    objects: calicoBgpObjectsFrom(objects),
    nodes: nodes.map((node) => ({
      name: node.name,
      ip: node.ip,
      netns: `${prefix}node-${node.name}`,
      labels: labels[node.name] ?? {},
      blocks: [node.block],
    })),
    router: {
      name: 'router',
      netns: routerNetns,
      config: renderFrrConfig({
        hostname: 'tor',
        asNumber: routerAs,
        routerId: '10.10.10.1',
        peerGroup: 'CALICO-K8S',
        peerGroupDescription: 'Calico Kubernetes Nodes',
        remoteAs: 65010,
        listenRanges: ['10.10.10.0/24'],
        networks: ['10.10.10.0/24'],
        routeReflectorClient: routerAs === 65010,
        nextHopSelf: routerAs === 65010,
        maximumPaths: 1,
      }),
    },
  };
}

async function buildTopology(): Promise<void> {
  const names = [routerNetns, ...nodes.map((node) => `${prefix}node-${node.name}`)];
  await runBatch({ netns: undefined, lines: names.map((name) => `netns add ${name}`) });
  await runBatch({
    netns: routerNetns,
    lines: ['link set lo up', 'link add br10 type bridge', 'addr add 10.10.10.1/24 dev br10', 'link set br10 up'],
  });
  for (const [index, node] of nodes.entries()) {
    const netns = `${prefix}node-${node.name}`;
    await runBatch({
      netns: routerNetns,
      lines: [
        `link add port${index} type veth peer name eth1 netns ${netns}`,
        `link set port${index} master br10`,
        `link set port${index} up`,
      ],
    });
    await runBatch({ netns, lines: ['link set lo up', `addr add ${node.ip}/24 dev eth1`, 'link set eth1 up'] });
  }
  await run(['ip', 'netns', 'exec', routerNetns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'], { where: routerNetns });
}

const summary = async () => parseFrrBgpSummary((await vtysh(LAB, 'router', 'show bgp summary json')).stdout);
const birdSessions = async (node: string) =>
  parseBirdProtocols((await birdc(LAB, node, ['show', 'protocols'])).stdout).filter((p) => p.proto === 'BGP');
const routerRoute = async (prefixText: string) =>
  parseFrrIpRoutes((await vtysh(LAB, 'router', 'show ip route json')).stdout).find((route) => route.prefix === prefixText);

async function fresh(lab: BgpLabPlan): Promise<number> {
  await labDown(LAB);
  await buildTopology();
  return (await startBgp(lab)).convergenceMs;
}

describe('BGP daemons in the lab', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  before(() => labDown(LAB));
  after(() => labDown(LAB));

  it('eBGP as in lesson 07: one Established session per node, nothing advertised to the router, its network advertised to the nodes', async () => {
    await fresh(plan());
    for (const node of nodes) {
      const sessions = await birdSessions(node.name);
      assert.deepEqual(
        sessions.map((p) => [p.name, bgpSessionState(p)]),
        [['Node_10_10_10_1', 'Established']],
      );
    }
    const peers = (await summary()).peers;
    assert.deepEqual(peers.map((p) => [p.address, p.state, p.remoteAs, p.prefixesReceived]).sort(), [
      ['10.10.10.11', 'Established', 65010, 0],
      ['10.10.10.12', 'Established', 65010, 0],
    ]);
    assert.ok(
      parseFrrAdvertisedRoutes((await vtysh(LAB, 'router', 'show bgp ipv4 neighbors 10.10.10.11 advertised-routes json')).stdout).includes(
        '10.10.10.0/24',
      ),
    );
    const kernel = await run(['ip', '-n', `${prefix}node-node-a`, 'route', 'show', 'proto', 'bird'], { where: 'node-a' });
    assert.match(kernel.stdout, /blackhole 192\.168\.1\.0\/26/);
    assert.doesNotMatch(kernel.stdout, /10\.10\.10\.0\/24 dev eth1/, "device routes stay out of the kernel, as with Calico's BIRD 1.6");
  });

  it('LoadBalancer range as in lesson 08: advertised by every node once set, one path, then ECMP with maximum-paths', async () => {
    const lab = plan();
    const configs = renderedConfigs(lab);
    lab.objects = calicoBgpObjectsFrom(manifests({ lb: true }));
    await rerender(lab, configs);
    assert.deepEqual(
      (await summary()).peers.map((p) => p.prefixesReceived),
      [1, 1],
    );
    assert.equal((await routerRoute('172.16.0.240/28'))?.nextHops.length, 1);
    await configureFrr(LAB, 'router', ['router bgp 65001', 'address-family ipv4 unicast', 'maximum-paths 4']);
    await settle(lab);
    const kernel = await run(['ip', '-n', routerNetns, '-j', 'route', 'show', '172.16.0.240/28'], { where: 'router' });
    const [route] = JSON.parse(kernel.stdout) as { nexthops?: { gateway: string }[] }[];
    assert.deepEqual(route?.nexthops?.map((hop) => hop.gateway).sort(), ['10.10.10.11', '10.10.10.12']);
  });

  it('a peer with the wrong AS never establishes, and the wait settles on its error', async () => {
    await fresh(plan(manifests({ peerAs: 65099 })));
    for (const node of nodes) {
      const [session] = await birdSessions(node.name);
      assert.notEqual(bgpSessionState(session!), 'Established');
      assert.match(session!.info, /Bad peer AS/);
    }
    assert.deepEqual(
      (await summary()).peers.filter((p) => p.state === 'Established'),
      [],
    );
  });

  it('selective peering as in lesson 15: a label opens the session, removing it closes it', async () => {
    const lab = plan(manifests({ selector: 'bgp-peer == "true"' }), 65001, { 'node-a': { 'bgp-peer': 'true' } });
    await fresh(lab);
    assert.deepEqual((await birdSessions('node-b')).length, 0);
    assert.deepEqual(
      (await summary()).peers.map((p) => p.address),
      ['10.10.10.11'],
    );
    const configs = renderedConfigs(lab);
    lab.nodes[1]!.labels = { 'bgp-peer': 'true' };
    await rerender(lab, configs);
    assert.deepEqual((await summary()).peers.map((p) => [p.address, p.state]).sort(), [
      ['10.10.10.11', 'Established'],
      ['10.10.10.12', 'Established'],
    ]);
    const labelled = renderedConfigs(lab);
    lab.nodes[1]!.labels = {};
    await rerender(lab, labelled);
    assert.deepEqual(
      (await summary()).peers.filter((p) => p.state === 'Established').map((p) => p.address),
      ['10.10.10.11'],
    );
  });

  it('iBGP to a route reflector with next-hop-self as in lesson 10: blocks with their community, reflected via the router', async () => {
    await fresh(plan(manifests({ peerAs: 65010, exportPool: true, lb: true, communities: true }), 65010));
    assert.deepEqual(
      (await summary()).peers.map((p) => p.prefixesReceived),
      [2, 2],
    );
    const [path] = parseFrrPrefixPaths((await vtysh(LAB, 'router', 'show bgp ipv4 192.168.1.0/26 json')).stdout);
    assert.deepEqual(path?.communities, ['65010:100']);
    assert.equal(path?.internal, true);
    const lbPaths = parseFrrPrefixPaths((await vtysh(LAB, 'router', 'show bgp ipv4 172.16.0.240/28 json')).stdout);
    assert.ok(lbPaths.every((candidate) => candidate.communities.length === 0));
    const kernel = await run(['ip', '-n', `${prefix}node-node-b`, 'route', 'show', '192.168.1.0/26'], { where: 'node-b' });
    assert.match(kernel.stdout, /^192\.168\.1\.0\/26 via 10\.10\.10\.1 dev eth1 proto bird/);
  });
});
