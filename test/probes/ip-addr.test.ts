import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpAddr, type Interface } from '../../support/parse/ip-addr.ts';
import { smallestHostMtu } from '../../support/claims/overlay.ts';
import { assertParseError, fixture, without } from './helpers.ts';

function byName(interfaces: Interface[], name: string): Interface {
  const found = interfaces.find((i) => i.name === name);
  assert.ok(found, `no interface ${name} in ${interfaces.map((i) => i.name).join(', ')}`);
  return found;
}

describe('parseIpAddr on the course outputs (lesson 02)', () => {
  const interfaces = parseIpAddr(fixture('pod-ip-addr.txt'));

  it('reads the pod eth0 as one end of a veth pair, peer index 6 in netns 0', () => {
    const eth0 = byName(interfaces, 'eth0');
    assert.equal(eth0.index, 2);
    assert.equal(eth0.peerIndex, 6);
    assert.equal(eth0.linkNetnsId, 0);
    assert.equal(eth0.mtu, 1450);
    assert.equal(eth0.mac, '7e:08:91:93:9c:3b');
    assert.equal(eth0.up, true);
    assert.equal(eth0.operState, 'UP');
    assert.deepEqual(eth0.flags, ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
  });

  it('reads exactly one IPv4 address on eth0, a /32', () => {
    const inet = byName(interfaces, 'eth0').addresses.filter((a) => a.family === 'inet');
    assert.deepEqual(inet, [{ family: 'inet', local: '192.168.146.66', prefixLen: 32, scope: 'global' }]);
  });

  it('reads lo with its addresses and no peer', () => {
    const lo = byName(interfaces, 'lo');
    assert.equal(lo.peerIndex, undefined);
    assert.equal(lo.linkType, 'loopback');
    assert.deepEqual(
      lo.addresses.map((a) => `${a.local}/${a.prefixLen} ${a.scope}`),
      ['127.0.0.1/8 host', '::1/128 host'],
    );
  });

  it('reads `ip link` as the same interfaces without addresses', () => {
    const links = parseIpAddr(fixture('pod-ip-link.txt'));
    assert.deepEqual(
      links,
      interfaces.map((i) => ({ ...i, addresses: [] })),
    );
  });

  it('reads the host-side cali interface and closes the veth loop with the pod', () => {
    const [cali, ...rest] = parseIpAddr(fixture('host-cali-addr.txt'));
    assert.equal(rest.length, 0);
    assert.ok(cali);
    assert.equal(cali.name, 'cali6d09fa47963');
    assert.equal(cali.mac, 'ee:ee:ee:ee:ee:ee');
    assert.equal(cali.linkNetns, 'cni-03a82789-389d-e76a-7035-f50cab457aa9');
    assert.equal(cali.mtu, 1450);
    assert.deepEqual(
      cali.addresses.filter((a) => a.family === 'inet'),
      [],
    );
    const eth0 = byName(interfaces, 'eth0');
    assert.equal(eth0.peerIndex, cali.index);
    assert.equal(cali.peerIndex, eth0.index);
  });
});

describe('parseIpAddr on partial or broken text', () => {
  it('rejects the lesson 03 output that lost its first line', () => {
    const error = assertParseError(
      () => parseIpAddr(fixture('pod-ip-addr-first-line-lost.txt')),
      /^parseIpAddr: /,
      /before any interface header/,
      /line 1: .*link\/loopback/,
    );
    assert.equal(error.lineNumber, 1);
    assert.match(error.excerpt, /link\/loopback/);
  });

  it('rejects the same output with its header restored, for its inet6 address without a prefix length', () => {
    const header = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n';
    const error = assertParseError(
      () => parseIpAddr(header + fixture('pod-ip-addr-first-line-lost.txt')),
      /inet6 address without a prefix length/,
      /fe80::bcb0:71ff:fedf:64 scope link/,
    );
    assert.equal(error.lineNumber, 11);
  });

  it('rejects garbage, empty output, one-line (-o) output and headers without mtu or state', () => {
    assertParseError(() => parseIpAddr('hello world'), /expected an interface header/, /hello world/);
    assertParseError(() => parseIpAddr('  \n'), /empty output/);
    assertParseError(() => parseIpAddr('1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever'), /interface header/);
    assertParseError(() => parseIpAddr('2: eth0: <UP> qdisc noqueue'), /without "mtu N" and "state S"/);
  });
});

describe('parseIpAddr on JSON from iproute2 (netns lab)', () => {
  it('reads `ip -j addr` of a Calico-style pod', () => {
    const eth0 = byName(parseIpAddr(fixture('netns-pod-ip-addr.json')), 'eth0');
    assert.equal(eth0.peerIndex, 3);
    assert.equal(eth0.linkNetnsId, 0);
    assert.equal(eth0.mtu, 1450);
    assert.deepEqual(eth0.addresses[0], { family: 'inet', local: '192.168.10.1', prefixLen: 32, scope: 'global' });
  });

  it('rejects JSON that is not a list of interfaces', () => {
    assertParseError(() => parseIpAddr('{"ifindex": 1}'), /expected a JSON array/);
    assertParseError(() => parseIpAddr('[{"ifname": "eth0"'), /invalid JSON/);
    assertParseError(() => parseIpAddr('[{"ifname": "eth0", "flags": [], "mtu": 1500, "operstate": "UP"}]'), /"ifindex"/);
    assertParseError(() => parseIpAddr('[]'), /no interface/);
    assertParseError(() => parseIpAddr('[1]'), /element 0 is not an object/);
  });
});

describe('parseIpAddr gives the same data from text and JSON', () => {
  // The text names a peer namespace that has a name (`link-netns pnparse-node1`); the JSON
  // always gives its id (`link_netnsid: 0`). Everything else must agree.
  const pairs = [
    ['netns-pod-ip-addr.txt', 'netns-pod-ip-addr.json'],
    ['netns-pod-ip-link.txt', 'netns-pod-ip-link.json'],
    ['netns-node-ip-addr.txt', 'netns-node-ip-addr.json'],
    ['netns-node-ip-link-down.txt', 'netns-node-ip-link-down.json'],
  ] as const;
  for (const [textName, jsonName] of pairs) {
    it(`${textName} = ${jsonName}`, () => {
      const fromText = parseIpAddr(fixture(textName));
      const fromJson = parseIpAddr(fixture(jsonName));
      assert.deepStrictEqual(without(fromText, 'linkNetns'), without(fromJson, 'linkNetnsId'));
    });
  }

  it('keeps the namespace name from text and the id from JSON', () => {
    assert.equal(byName(parseIpAddr(fixture('netns-pod-ip-addr.txt')), 'eth0').linkNetns, 'pnparse-node1');
    assert.equal(byName(parseIpAddr(fixture('netns-pod-ip-addr.json')), 'eth0').linkNetnsId, 0);
  });
});

describe('parseIpAddr on the node side of the netns lab', () => {
  const node = parseIpAddr(fixture('netns-node-ip-addr.txt'));

  it('reads host-side veths as Calico makes them: ee:ee:ee:ee:ee:ee, no IPv4, peer index 2', () => {
    const calis = node.filter((i) => i.name.startsWith('cali'));
    assert.equal(calis.length, 2);
    for (const cali of calis) {
      assert.equal(cali.mac, 'ee:ee:ee:ee:ee:ee');
      assert.equal(cali.peerIndex, 2);
      assert.equal(cali.mtu, 1450);
      assert.deepEqual(
        cali.addresses.map((a) => a.family),
        ['inet6'],
      );
    }
  });

  it('tells an administratively down link from one whose peer is down', () => {
    const links = parseIpAddr(fixture('netns-node-ip-link-down.txt'));
    const down = byName(links, 'vethb');
    const noCarrier = byName(links, 'vetha');
    assert.deepEqual([down.up, down.operState, down.link], [false, 'DOWN', 'vetha']);
    assert.deepEqual([noCarrier.up, noCarrier.operState, noCarrier.link], [true, 'LOWERLAYERDOWN', 'vethb']);
    assert.ok(noCarrier.flags.includes('NO-CARRIER'));
    assert.equal(down.peerIndex, undefined);
  });
});

it('oper-up as the kernel sets IFF_RUNNING: an admin-up veth without carrier is not up; the smallest host MTU ignores it (T3-14)', () => {
  for (const file of ['netns-node-ip-addr-no-carrier.json', 'netns-node-ip-addr-no-carrier.txt']) {
    const list = parseIpAddr(fixture(file));
    const byName = (name: string) => list.find((iface) => iface.name === name);
    assert.equal(byName('eth1')?.up, true, file);
    assert.equal(byName('eth1')?.operUp, false, file);
    assert.equal(byName('eth1')?.operState, 'LOWERLAYERDOWN');
    assert.equal(byName('eth2')?.operUp, false);
    assert.equal(byName('eth0')?.operUp, true);
    assert.equal(byName('vxlan.calico')?.operUp, true, 'state UNKNOWN with LOWER_UP is oper-up');
    assert.equal(byName('lo')?.operUp, true);
    assert.equal(smallestHostMtu(list), 1500, 'eth1 (1280, no carrier) and eth2 (1300, down) do not count');
  }
  assertParseError(
    () => parseIpAddr('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    vxlan id 4096 local 10.0.0.1\n'),
    /line 2/,
  );
});
