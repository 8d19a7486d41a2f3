import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRoute, parseIpRoutes, type Route } from '../../support/parse/ip-route.ts';
import { assertParseError, fixture } from './helpers.ts';

function route(routes: Route[], prefix: string): Route {
  const found = routes.find((r) => r.prefix === prefix);
  assert.ok(found, `no route to ${prefix} in ${routes.map(formatRoute).join(' | ')}`);
  return found;
}

describe('parseIpRoutes on the course outputs', () => {
  it('reads the pod table: exactly the two routes via 169.254.1.1', () => {
    assert.deepStrictEqual(parseIpRoutes(fixture('pod-ip-route.txt')), [
      { dst: 'default', prefix: '0.0.0.0/0', type: 'unicast', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
      { dst: '169.254.1.1', prefix: '169.254.1.1/32', type: 'unicast', dev: 'eth0', scope: 'link', flags: [] },
    ]);
  });

  it('reads the node host routes to local pods: dev cali…, scope link, no gateway', () => {
    for (const [name, ip, dev] of [
      ['node-ip-route-grep-pod.txt', '192.168.146.66', 'cali6d09fa47963'],
      ['node-ip-route-grep-same-node-pod.txt', '192.168.93.202', 'cali3174bc812f3'],
      ['node-ip-route-grep-cross-node-pod.txt', '192.168.112.197', 'cali2add6b13a99'],
    ] as const) {
      const [only, ...rest] = parseIpRoutes(fixture(name));
      assert.equal(rest.length, 0);
      assert.deepStrictEqual(only, { dst: ip, prefix: `${ip}/32`, type: 'unicast', dev, scope: 'link', flags: [] });
    }
  });

  it('rejects the lesson 03 output that has the command echoed into it', () => {
    const error = assertParseError(() => parseIpRoutes(fixture('pod-ip-route-echoed-command.txt')), /"ip" is not a route destination/);
    assert.equal(error.lineNumber, 1);
  });
});

describe('parseIpRoutes on the netns lab node', () => {
  const routes = parseIpRoutes(fixture('netns-node-ip-route.txt'));

  it('reads the blackhole for the local block, with Calico protocol 80', () => {
    assert.deepStrictEqual(route(routes, '192.168.10.0/26'), {
      dst: '192.168.10.0/26',
      prefix: '192.168.10.0/26',
      type: 'blackhole',
      proto: '80',
      flags: [],
    });
  });

  it('reads the remote block via the other node, onlink', () => {
    const remote = route(routes, '192.168.20.64/26');
    assert.equal(remote.gateway, '172.30.0.3');
    assert.equal(remote.dev, 'eth0');
    assert.deepEqual(remote.flags, ['onlink']);
  });

  it('reads kernel routes with their source and unreachable routes with their type', () => {
    const connected = route(routes, '172.30.0.0/24');
    assert.deepEqual([connected.proto, connected.scope, connected.src], ['kernel', 'link', '172.30.0.2']);
    assert.equal(route(routes, '192.168.99.0/24').type, 'unreachable');
  });

  it('reads an ECMP route with its nexthops', () => {
    const [multipath] = parseIpRoutes(fixture('netns-node-ip-route-multipath.txt'));
    assert.deepEqual(
      multipath?.nexthops?.map((h) => h.gateway),
      ['172.30.0.3', '172.30.0.4'],
    );
    assert.deepEqual(multipath?.nexthops?.[0], { gateway: '172.30.0.3', dev: 'eth0', weight: 1, flags: ['onlink'] });
  });
});

describe('parseIpRoutes gives the same data from text and JSON', () => {
  for (const base of ['netns-pod-ip-route', 'netns-node-ip-route', 'netns-node-ip-route-multipath', 'netns-pod-ip6-route']) {
    it(`${base}.txt = ${base}.json`, () => {
      assert.deepStrictEqual(parseIpRoutes(fixture(`${base}.txt`)), parseIpRoutes(fixture(`${base}.json`)));
    });
  }
});

describe('formatRoute', () => {
  const textFixtures = [
    'pod-ip-route.txt',
    'node-ip-route-grep-pod.txt',
    'netns-pod-ip-route.txt',
    'netns-node-ip-route.txt',
    'netns-node-ip-route-multipath.txt',
    'netns-pod-ip6-route.txt',
  ];
  for (const name of textFixtures) {
    it(`prints ${name} back as ip route printed it`, () => {
      const expected = fixture(name)
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l !== '');
      const printed = parseIpRoutes(fixture(name)).flatMap((r) => formatRoute(r).split('\n'));
      assert.deepEqual(printed, expected);
    });
  }

  it('prints routes read from JSON in the text form', () => {
    assert.deepEqual(parseIpRoutes(fixture('netns-pod-ip-route.json')).map(formatRoute), [
      'default via 169.254.1.1 dev eth0',
      '169.254.1.1 dev eth0 scope link',
    ]);
  });
});

describe('parseIpRoutes normalises prefixes', () => {
  it('makes bare addresses host prefixes and gives default a family', () => {
    const [v6default, v6host] = parseIpRoutes(
      'default via fe80::1 dev eth0 proto ra metric 1024 pref medium\nfd00::5 dev eth0 metric 1024 pref medium\n',
    );
    assert.equal(v6default?.prefix, '::/0');
    assert.equal(v6host?.prefix, 'fd00::5/128');
    assert.equal(parseIpRoutes('default dev eth0 scope link')[0]?.prefix, '0.0.0.0/0');
  });

  it('treats an empty table as valid', () => {
    assert.deepEqual(parseIpRoutes(''), []);
    assert.deepEqual(parseIpRoutes('[]'), []);
  });
});

describe('parseIpRoutes rejects what is not a routing table', () => {
  it('rejects garbage, unknown words and stray indented lines', () => {
    assertParseError(() => parseIpRoutes('hello world'), /"hello" is not a route destination/);
    assertParseError(() => parseIpRoutes('10.0.0.0/8 via 10.0.0.1 dev eth0 frobnicate 3'), /unknown word "frobnicate"/);
    assertParseError(() => parseIpRoutes('10.0.0.0/8 dev'), /"dev" without a value/);
    assertParseError(() => parseIpRoutes('10.0.0.0/33 dev eth0'), /not a route destination/);
    assertParseError(() => parseIpRoutes('\tnexthop via 10.0.0.1 dev eth0 weight 1'), /"nexthop" line before any route/);
    assertParseError(() => parseIpRoutes('10.0.0.0/8 dev eth0\n  cache'), /unexpected indented line/);
  });

  it('rejects `ip route get` output given as a table', () => {
    assertParseError(() => parseIpRoutes(fixture('node-ip-route-get.txt')), /`ip route get` output/);
  });

  it('rejects JSON that is not a route list', () => {
    assertParseError(() => parseIpRoutes('{"dst": "default"}'), /expected a JSON array/);
    assertParseError(() => parseIpRoutes('[{"dev": "eth0"}]'), /"dst"/);
    assertParseError(() => parseIpRoutes('[{"dst": "nowhere"}]'), /"nowhere" is not a route destination/);
    assertParseError(() => parseIpRoutes('[{"dst": "default", "flags": "onlink"}]'), /"flags" is not an array of strings/);
  });
});

describe('parseIpRoutes on iproute2 6.1.0 in two namespaces (netns-h24c-*, issue 24)', () => {
  it('reads the IPv4 main table: default, connected, weighted multipath, onlink with mtu, prohibit/unreachable/blackhole', () => {
    const routes = parseIpRoutes(fixture('netns-h24c-ip-route.txt'));
    assert.deepEqual(
      routes.map((r) => `${r.type} ${r.prefix}`),
      [
        'unicast 0.0.0.0/0',
        'unicast 10.24.0.0/24',
        'unicast 10.24.1.0/24',
        'unicast 10.30.0.0/24',
        'unicast 10.40.0.0/24',
        'prohibit 10.96.9.0/24',
        'unreachable 10.97.0.0/24',
        'blackhole 10.98.0.0/26',
      ],
    );
    assert.deepEqual(route(routes, '10.30.0.0/24').nexthops, [
      { gateway: '10.24.0.2', dev: 'veth0', weight: 1, flags: [] },
      { gateway: '10.24.1.2', dev: 'veth1', weight: 2, flags: [] },
    ]);
    assert.deepEqual(route(routes, '10.40.0.0/24').flags, ['onlink']);
  });

  it('reads the IPv6 main table: ::/0 via fd00:24::2, multipath, a fe80 gateway with pref high, a blackhole on lo', () => {
    const routes = parseIpRoutes(fixture('netns-h24c-ip-6-route.txt'));
    assert.equal(route(routes, '::/0').gateway, 'fd00:24::2');
    assert.deepEqual(
      route(routes, 'fd00:30::/64').nexthops?.map((h) => h.gateway),
      ['fd00:24::2', 'fd00:25::2'],
    );
    assert.deepEqual([route(routes, 'fd00:40::/64').gateway, route(routes, 'fd00:40::/64').pref], ['fe80::1', 'high']);
    assert.equal(route(routes, 'fd00:98::/64').type, 'blackhole');
  });

  for (const [text, json] of <[string, string][]>[
    ['netns-h24c-ip-route.txt', 'netns-h24c-ip-route.json'],
    ['netns-h24c-ip-d-route.txt', 'netns-h24c-ip-d-route.json'],
    ['netns-h24c-ip-6-route.txt', 'netns-h24c-ip-6-route.json'],
    ['netns-h24c-ip-route-table-all.txt', 'netns-h24c-ip-route-table-all.json'],
  ]) {
    it(`${text} = ${json}`, () => {
      assert.deepStrictEqual(parseIpRoutes(fixture(text)), parseIpRoutes(fixture(json)));
    });
  }

  it('reads `-d` (every type, proto and scope printed) as the plain form, less what -d adds', () => {
    const plain = parseIpRoutes(fixture('netns-h24c-ip-route.txt'));
    const detailed = parseIpRoutes(fixture('netns-h24c-ip-d-route.txt'));
    assert.deepEqual(
      detailed.map((r) => [r.type, r.prefix, r.gateway, r.dev, r.nexthops]),
      plain.map((r) => [r.type, r.prefix, r.gateway, r.dev, r.nexthops]),
    );
    assert.deepEqual(
      parseIpRoutes(fixture('netns-h24c-ip-6-d-route.txt')).map((r) => r.prefix),
      parseIpRoutes(fixture('netns-h24c-ip-6-route.txt')).map((r) => r.prefix),
    );
  });

  it('reads `table all`: the local table routes with their type and table, main without', () => {
    const routes = parseIpRoutes(fixture('netns-h24c-ip-route-table-all.txt'));
    assert.deepEqual(
      routes.filter((r) => r.table === 'local').map((r) => r.type),
      [
        'local',
        'broadcast',
        'local',
        'broadcast',
        'local',
        'local',
        'broadcast',
        'local',
        'local',
        'local',
        'local',
        'local',
        'multicast',
        'multicast',
      ],
    );
    assert.equal(route(routes, '10.50.0.0/24').table, '100');
    assert.equal(parseIpRoutes(fixture('netns-h24c-ip-route-table-100.txt'))[0]?.gateway, '10.24.0.2');
  });

  it('refuses a source-specific route (`from`), naming the line', () => {
    assertParseError(
      () => parseIpRoutes('fd00:50::/64 from fd00:1::/64 via fd00:24::2 dev veth0 metric 1024 pref medium\n'),
      /source-specific/,
      /line 1/,
    );
    assertParseError(
      () => parseIpRoutes('[{"dst":"fd00:50::/64","from":"fd00:1::/64","gateway":"fd00:24::2","dev":"veth0","flags":[]}]'),
      /"from"/,
    );
  });

  it('refuses a route with an encapsulation or a TOS it would drop, and `ip route get` words', () => {
    assertParseError(() => parseIpRoutes('10.60.0.0/24 encap mpls 100 via 10.24.0.2 dev veth0\n'), /unknown word "encap"/, /line 1/);
    assertParseError(() => parseIpRoutes('10.60.0.0/24 tos 0x10 via 10.24.0.2 dev veth0\n'), /unknown word "tos"/);
    assertParseError(() => parseIpRoutes(fixture('netns-h24c-ip-route-get-mark.txt')), /ip route get/, /line 1/);
    assertParseError(() => parseIpRoutes('[{"dst":"10.60.0.0/24","encap":"mpls","dev":"veth0","flags":[]}]'), /"encap"/);
    assertParseError(() => parseIpRoutes(fixture('netns-h24c-ip-route-get.json')), /"uid", "cache"/);
  });

  it('refuses a JSON flag iproute2 does not print', () => {
    assertParseError(() => parseIpRoutes('[{"dst":"10.60.0.0/24","dev":"veth0","flags":["sticky"]}]'), /unknown flag "sticky"/);
  });
});
