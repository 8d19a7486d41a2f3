import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFdb, parseNeighbours, parseVxlanLink } from '../../support/parse/vxlan.ts';
import { ParseError } from '../../support/parse/errors.ts';
import { fixture } from './helpers.ts';

test('vxlan.calico as Felix configures it: VNI, local address, parent, port, no learning', () => {
  const device = parseVxlanLink(fixture('netns-overlay-vxlan-link.json'));
  assert.deepEqual(
    { ...device, flags: undefined },
    {
      name: 'vxlan.calico',
      mtu: 1450,
      mac: '66:c7:60:3d:a7:4b',
      flags: undefined,
      operState: 'UNKNOWN',
      vni: 4096,
      local: '10.10.10.11',
      remote: undefined,
      parent: 'eth1',
      port: 4789,
      learning: false,
    },
  );
  assert.ok(device.flags.includes('LOWER_UP'));
  assert.throws(
    () => parseVxlanLink('[{"ifname":"eth0","mtu":1500,"address":"x","flags":[],"operstate":"UP","linkinfo":{"info_kind":"veth"}}]'),
    ParseError,
  );
});

test('two devices (`ip -d -j link show type vxlan` on a dual-stack node) are not one reading', () => {
  const [v4, v6] = [fixture('netns-vxlan-v4-link.json'), fixture('netns-vxlan-v6-link.json')].map((text) => JSON.parse(text) as unknown[]);
  assert.throws(() => parseVxlanLink(JSON.stringify([...(v4 ?? []), ...(v6 ?? [])])), /2 devices, not one/);
  assert.throws(() => parseVxlanLink('[]'), /no device/);
});

test('permanent neighbours and FDB entries of vxlan.calico', () => {
  assert.deepEqual(parseNeighbours(fixture('netns-overlay-vxlan-neigh.json'))[0], {
    ip: '192.168.30.64',
    mac: '66:01:63:fc:d8:a4',
    state: ['PERMANENT'],
  });
  assert.deepEqual(parseFdb(fixture('netns-overlay-vxlan-fdb.json'))[0], {
    mac: '66:01:63:fc:d8:a4',
    dst: '10.10.20.20',
    flags: ['self'],
    state: 'permanent',
  });
});

test('IPv6 VXLAN devices: local6 and remote6 read as the local and remote address; IPv6 neighbours and FDB', () => {
  const v6 = parseVxlanLink(fixture('netns-vxlan-v6-link.json'));
  assert.equal(v6.local, 'fd00:10::1');
  assert.equal(v6.remote, undefined);
  assert.equal(v6.parent, 'veth0');
  assert.equal(v6.learning, false);
  const v4 = parseVxlanLink(fixture('netns-vxlan-v4-link.json'));
  assert.equal(v4.local, '10.10.0.1');
  const remote = parseVxlanLink(fixture('netns-vxlan-remote6-link.json'));
  assert.equal(remote.remote, 'fd00:10::2');
  assert.equal(remote.local, undefined);
  assert.equal(remote.learning, true);
  assert.deepEqual(parseNeighbours(fixture('netns-vxlan-v6-neigh.json')), [
    { ip: 'fd00:20::2', mac: '66:aa:bb:cc:dd:02', state: ['PERMANENT'] },
  ]);
  assert.equal(parseFdb(fixture('netns-vxlan-v6-fdb.json'))[0]?.dst, 'fd00:10::2');
  const both = fixture('netns-vxlan-v6-link.json').replace('"local6":', '"local":"10.0.0.1","local6":');
  assert.throws(() => parseVxlanLink(both), /both "local" and "local6"/);
  assert.throws(() => parseVxlanLink(fixture('netns-vxlan-v6-link.json').replace('"learning":false,', '')), /learning/);
});
