import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderBirdConfig } from '../../support/lab/bgp/bird-config.ts';
import { renderFrrConfig } from '../../support/lab/bgp/frr-config.ts';
import { sessionsOf, type BgpNodeIdentity } from '../../support/lab/bgp/peers.ts';
import { kindNodeLabels, readBgpSpec } from '../../support/lab/bgp/spec.ts';
import { calicoBgpObjectsFrom } from '../../support/net/calico-bgp.ts';
import { selects } from '../../support/net/calico-selector.ts';
import { TOPOLOGIES_DIR } from '../../support/topology/catalogue.ts';

const topology = (name: string) => join(TOPOLOGIES_DIR, name);
const nodes: BgpNodeIdentity[] = [
  { name: 'cp', ip: '10.10.10.10', labels: { vlan: '10' } },
  { name: 'w1', ip: '10.10.10.11', labels: { vlan: '10', 'bgp-peer': 'true' } },
  { name: 'w3', ip: '10.10.20.20', labels: { vlan: '20' } },
];

/** BIRD 2 itself checks the rendering's syntax (bird -p parses and exits), when it is installed. */
function birdParses(config: string): boolean | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pnbird-'));
  try {
    writeFileSync(join(dir, 'bird.conf'), config);
    execFileSync('bird', ['-p', '-c', join(dir, 'bird.conf')], { stdio: 'pipe' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`bird -p refused the configuration: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Calico's selectors (the subset BGPPeers use)", () => {
  it('all(), equality with either quote, inequality, has(), && and ||', () => {
    assert.ok(selects('all()', {}));
    assert.ok(selects('bgp-peer == "true"', { 'bgp-peer': 'true' }));
    assert.ok(!selects("vlan == '10'", { vlan: '20' }));
    assert.ok(selects("vlan != '10'", {}));
    assert.ok(selects('has(vlan) && vlan == "20"', { vlan: '20' }));
    assert.ok(selects("vlan == '10' || vlan == '20'", { vlan: '20' }));
    assert.throws(() => selects('vlan in {"10"}', {}), /not supported by the lab/);
  });
});

describe("confd's choice of sessions", () => {
  it('a peer with a node selector is node-specific (Node_), only on the nodes it selects; none without a selector is global (Global_)', () => {
    const objects = calicoBgpObjectsFrom([
      readFileSync(join(topology('calico-bgp-ippool'), 'calico', 'bgppeer-vlan-10.yaml'), 'utf8'),
      readFileSync(join(topology('calico-bgp-ippool'), 'calico', 'bgppeer-vlan-20.yaml'), 'utf8'),
      'kind: BGPConfiguration\nmetadata: {name: default}\nspec: {asNumber: 65010, nodeToNodeMeshEnabled: false}\n',
    ]);
    assert.deepEqual(
      sessionsOf(objects, nodes[0]!, nodes).map((s) => s.protocol),
      ['Node_10_10_10_1'],
    );
    assert.deepEqual(
      sessionsOf(objects, nodes[2]!, nodes).map((s) => s.protocol),
      ['Node_10_10_20_1'],
    );
    const global = calicoBgpObjectsFrom([
      'kind: BGPPeer\nmetadata: {name: tor}\nspec: {peerIP: 10.10.10.1, asNumber: 65001}\n---\nkind: BGPPeer\nmetadata: {name: again}\nspec: {peerIP: 10.10.10.1, asNumber: 65001, nodeSelector: all()}\n',
    ]);
    assert.deepEqual(
      sessionsOf(global, nodes[1]!, nodes).map((s) => s.protocol),
      ['Mesh_10_10_10_10', 'Mesh_10_10_20_20', 'Global_10_10_10_1'],
      'the mesh is on by default; a node-specific duplicate of a global peering is skipped',
    );
  });
});

describe("bird.conf as Calico's templates render it", () => {
  it('lesson 07: one Node_ session in eBGP, the pool kept out of BGP and of the kernel (VXLAN), the mesh off', () => {
    const spec = readBgpSpec(topology('calico-bgp'), join(topology('calico-bgp'), 'topology.clab.yaml'));
    assert.ok(spec);
    const config = renderBirdConfig({
      node: nodes[1]!,
      blocks: ['192.168.1.0/26'],
      objects: spec.objects,
      sessions: sessionsOf(spec.objects, nodes[1]!, nodes),
    });
    assert.match(config, /^router id 10\.10\.10\.11;$/m);
    assert.match(
      config,
      /protocol bgp Node_10_10_10_1 from bgp_template \{\n  ttl security off;\n  multihop;\n  neighbor 10\.10\.10\.1 as 65001;/,
    );
    assert.match(config, /calico_export_to_bgp_peers\(false\)/);
    assert.match(config, /# Node-to-node mesh disabled/);
    assert.match(config, /function reject_disabled_pools\(\)\n\{\n  if \( net ~ 192\.168\.0\.0\/16 \) then \{ reject; \}/);
    assert.match(config, /if \( net ~ 192\.168\.0\.0\/16 \) then \{ reject; \} # VXLAN routes are Felix's/);
    assert.match(config, /route 192\.168\.1\.0\/26 blackhole;/);
    assert.notEqual(birdParses(config), false);
  });

  it('lesson 10: iBGP, the pool exported with its community, the LoadBalancer range as a static route kept out of the kernel', () => {
    const spec = readBgpSpec(topology('calico-bgp-ippool'), join(topology('calico-bgp-ippool'), 'topology.clab.yaml'));
    assert.ok(spec);
    const config = renderBirdConfig({
      node: nodes[2]!,
      blocks: ['192.168.2.0/26'],
      objects: spec.objects,
      sessions: sessionsOf(spec.objects, nodes[2]!, nodes),
    });
    assert.match(config, /neighbor 10\.10\.20\.1 as 65010;/);
    assert.match(config, /calico_export_to_bgp_peers\(true\)/);
    assert.match(config, /if \( net ~ 192\.168\.0\.0\/17 \) then \{\n    bgp_community\.add\(\(65010, 100\)\);/);
    assert.match(config, /route 172\.16\.0\.240\/28 blackhole;/);
    const kernel = config.split('filter calico_kernel_programming')[1]?.split('\n}')[0] ?? '';
    assert.ok(
      kernel.indexOf('if ( net ~ 172.16.0.240/28 ) then { reject; }') < kernel.indexOf('if ( net ~ 192.168.0.0/17 ) then { accept; }'),
      'the LoadBalancer range is rejected before the pool is accepted',
    );
    assert.notEqual(birdParses(config), false);
  });
});

describe("the router's frr.conf", () => {
  it('peer group before its listen range; next-hop-self forced and ibgp multipath for a reflector', () => {
    const config = renderFrrConfig({
      hostname: 'tor',
      asNumber: 65010,
      routerId: '10.10.10.1',
      peerGroup: 'G',
      peerGroupDescription: 'nodes',
      remoteAs: 65010,
      listenRanges: ['10.10.10.0/24'],
      networks: ['10.10.10.0/24'],
      routeReflectorClient: true,
      nextHopSelf: true,
      maximumPaths: 1,
    });
    assert.ok(config.indexOf(' neighbor G peer-group') < config.indexOf(' bgp listen range 10.10.10.0/24 peer-group G'));
    assert.match(config, /neighbor G next-hop-self force/);
    assert.match(config, /maximum-paths ibgp 1/);
  });
});

describe('node labels from a Kind config', () => {
  it('nodes[].labels and the kubelet --node-labels of a kubeadm patch', () => {
    assert.deepEqual(
      kindNodeLabels(readFileSync(join(topology('selective-bgp-peering'), 'kind-cluster.yaml'), 'utf8')).map(
        (labels) => labels['bgp-peer'] ?? '-',
      ),
      ['-', 'true', 'true', '-', '-'],
    );
    assert.deepEqual(
      kindNodeLabels(readFileSync(join(topology('calico-bgp-ippool'), 'kind-cluster.yaml'), 'utf8')).map((labels) => labels.vlan),
      ['10', '10', '10', '20'],
    );
  });
});
