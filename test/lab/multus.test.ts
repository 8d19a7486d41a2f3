import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocate } from '../../support/lab/multus/whereabouts.ts';
import { nadSpecOf, requestedNetworks } from '../../support/lab/multus/nad.ts';
import { pluginConfig } from '../../support/lab/multus/multus.ts';
import { loadLabSpec } from '../../support/lab/spec.ts';
import { inRange, parseRange } from '../../support/net/whereabouts-range.ts';
import { routerPortOf } from '../../support/claims/multus.ts';
import { multusCauses } from '../../support/diagnosis/multus.ts';
import { parseSecondaryLink } from '../../support/parse/secondary-link.ts';

const COURSE_RANGE = { range: '10.10.20.100-10.10.20.200/24', exclude: ['10.10.20.1/32'], gateway: '10.10.20.1' };

describe('Whereabouts allocation (the lab)', () => {
  it('hands out the lowest free address of the range, with its prefix', () => {
    assert.equal(allocate({ ...COURSE_RANGE, held: [] }), '10.10.20.100/24');
    assert.equal(allocate({ ...COURSE_RANGE, held: ['10.10.20.100', '10.10.20.102'] }), '10.10.20.101/24');
  });
  it('skips excluded CIDRs and never hands out the gateway, even when nothing excludes it', () => {
    assert.equal(allocate({ range: '10.10.20.0/24', exclude: ['10.10.20.0/30'], gateway: undefined, held: [] }), '10.10.20.4/24');
    assert.equal(allocate({ range: '10.10.20.0/24', exclude: [], gateway: '10.10.20.1', held: [] }), '10.10.20.2/24');
  });
  it('refuses when the range is full', () => {
    assert.throws(
      () => allocate({ range: '10.10.20.100-10.10.20.101/24', exclude: [], gateway: undefined, held: ['10.10.20.100', '10.10.20.101'] }),
      /no free address/,
    );
  });
});

describe('whereabouts ranges', () => {
  it('reads the dashed form and a CIDR, without network and broadcast', () => {
    const range = parseRange('10.10.20.100-10.10.20.200/24');
    assert.equal(range.prefix, 24);
    assert.ok(inRange(range, '10.10.20.100') && inRange(range, '10.10.20.200') && !inRange(range, '10.10.20.201'));
    assert.ok(!inRange(parseRange('10.10.20.0/24'), '10.10.20.255'));
  });
  it('refuses what is not a range', () => {
    assert.throws(() => parseRange('10.10.20.200-10.10.20.100/24'), /must follow/);
    assert.throws(() => parseRange('eth2'), /not a whereabouts range/);
  });
});

describe('NetworkAttachmentDefinitions', () => {
  it('the macvlan topology holds the course NAD and the plugin gets its configuration with a static IPAM', () => {
    const spec = loadLabSpec({ topology: 'macvlan' });
    const nad = spec.nads?.find((candidate) => candidate.name === 'vlan20-macvlan');
    assert.ok(nad);
    assert.equal(nad.master, 'eth2');
    assert.equal(nad.mode, 'bridge');
    const config = JSON.parse(pluginConfig(nad, { network: nad.name, ifname: 'net1', cidr: '10.10.20.100/24' }));
    assert.deepEqual(config.ipam, { type: 'static', addresses: [{ address: '10.10.20.100/24', gateway: '10.10.20.1' }] });
    assert.equal(config.type, 'macvlan');
    assert.equal(config.master, 'eth2');
  });
  it('refuses a configuration that is not JSON, naming the NAD', () => {
    assert.throws(
      () => nadSpecOf({ metadata: { name: 'broken' }, spec: { config: '{' } }, 'x.yaml'),
      /x.yaml: NetworkAttachmentDefinition broken: spec.config is not JSON/,
    );
  });
  it('reads the networks annotation, and refuses the JSON form it does not understand', () => {
    assert.deepEqual(requestedNetworks({ 'k8s.v1.cni.cncf.io/networks': 'a, b' }), ['a', 'b']);
    assert.throws(() => requestedNetworks({ 'k8s.v1.cni.cncf.io/networks': '[{"name":"a"}]' }), /not a NAD name/);
  });
});

describe('claims and diagnosis of lesson 21', () => {
  it("finds the router port facing a node's eth2 from the topology file, for lab and Kind node names", () => {
    const links = loadLabSpec({ topology: 'macvlan' }).routed?.links ?? [];
    assert.equal(routerPortOf(links, 'k01-worker', 'eth2'), 'eth5');
    assert.equal(routerPortOf(links, 'l21x-macvlan-worker2', 'eth2'), 'eth6');
    assert.equal(routerPortOf(links, 'l21x-macvlan-control-plane', 'eth1'), 'eth1');
  });
  it('reads a macvlan link of ip -d -j link, and refuses output without linkinfo', () => {
    const link = parseSecondaryLink(
      '[{"ifindex":3,"link_index":4,"ifname":"net1","flags":["UP"],"mtu":9500,"address":"3e:83:75:87:02:3f","linkinfo":{"info_kind":"macvlan","info_data":{"mode":"bridge"}}}]',
    );
    assert.deepEqual([link.kind, link.mode, link.parentIndex], ['macvlan', 'bridge', 4]);
    assert.throws(() => parseSecondaryLink('[{"ifindex":3,"ifname":"net1","flags":[],"mtu":1500,"address":"x"}]'), /linkinfo/);
  });
  it('names an addressed eth2, a default route via net1 and NAT on net1', () => {
    const eth2 = {
      index: 4,
      name: 'eth2',
      flags: ['UP', 'LOWER_UP'],
      up: true,
      operState: 'UP',
      operUp: true,
      mtu: 9500,
      addresses: [{ family: 'inet' as const, local: '10.10.20.10', prefixLen: 24, scope: 'global' }],
    };
    const causes = multusCauses({
      nodes: [{ node: 'w', eth2 }],
      podLinks: [],
      defaultDevs: ['net1'],
      natOnNet1: ['-A POSTROUTING -o net1 -j SNAT'],
    });
    assert.equal(causes.length, 3);
    assert.match(causes.join('\n'), /holds 10.10.20.10\/24/);
  });
});
