import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFdb, parseNeighbours, parseVxlanLink } from '../../support/probes/parse/vxlan.ts';
import { ParseError } from '../../support/probes/parse/errors.ts';
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
