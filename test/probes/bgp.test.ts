import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bgpSessionState, parseBirdProtocols, parseBirdRouteCounts, parseBirdRoutes } from '../../support/parse/bird.ts';
import {
  parseFrrAdvertisedRoutes,
  parseFrrBgpRoutes,
  parseFrrBgpSummary,
  parseFrrIpRoutes,
  parseFrrNeighbors,
  parseFrrPrefixPaths,
} from '../../support/parse/frr.ts';
import { splitJsonDocuments } from '../../support/parse/json.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('BIRD show protocols', () => {
  it('reads every protocol with its state, and the BGP session state', () => {
    const protocols = parseBirdProtocols(fixture('bird-show-protocols.txt'));
    assert.deepEqual(
      protocols.map((p) => p.name),
      ['kernel1', 'device1', 'direct1', 'static1', 'Node_10_10_10_1'],
    );
    const bgp = protocols.find((p) => p.proto === 'BGP')!;
    assert.equal(bgp.state, 'up');
    assert.equal(bgpSessionState(bgp), 'Established');
    assert.equal(protocols[0]!.table, 'master4');
  });

  it('keeps the last error of a session that never establishes', () => {
    const bgp = parseBirdProtocols(fixture('bird-show-protocols-bad-as.txt')).find((p) => p.proto === 'BGP')!;
    assert.equal(bgp.state, 'start');
    assert.equal(bgpSessionState(bgp), 'Idle');
    assert.match(bgp.info, /Bad peer AS/);
  });

  it('refuses output without the header', () => {
    assertParseError(
      () => parseBirdProtocols('BIRD 2.0.12 ready.\nkernel1 Kernel master4 up 13:57:17.534\n'),
      /bird show protocols/,
      /header/,
    );
  });

  it('reads BIRD 1.6 columns (calico-node birdcl) the same way', () => {
    const text =
      'BIRD v0.3.3+birdv1.6.8 ready.\nname     proto    table    state  since    info\nNode_10_10_10_1 BGP      master   up     10:01:02  Established   \n';
    const [bgp] = parseBirdProtocols(text);
    assert.equal(bgp?.name, 'Node_10_10_10_1');
    assert.equal(bgpSessionState(bgp!), 'Established');
  });
});

describe('BIRD show route', () => {
  it('reads each route with its protocol, type and next hops', () => {
    const routes = parseBirdRoutes(fixture('bird-show-route.txt'));
    assert.deepEqual(
      routes.map((r) => [r.prefix, r.type, r.protocol, r.best]),
      [
        ['172.16.0.240/28', 'blackhole', 'static1', true],
        ['10.10.10.0/24', 'unicast', 'direct1', true],
        ['10.10.10.0/24', 'unicast', 'Node_10_10_10_1', false],
        ['192.168.1.0/26', 'blackhole', 'static1', true],
      ],
    );
    assert.deepEqual(routes[2]!.nextHops, [{ via: '10.10.10.1', iface: 'eth1' }]);
    assert.equal(routes[2]!.asPath, 'AS65001i');
  });

  it('reads the attributes of show route all as belonging to the route above (and nothing else)', () => {
    assert.deepEqual(parseBirdRoutes(fixture('bird-show-route-all.txt')), parseBirdRoutes(fixture('bird-show-route.txt')));
    assert.deepEqual(
      parseBirdRoutes(fixture('netns-bird2-show-route-all-v4-v6.txt')),
      parseBirdRoutes(fixture('netns-bird2-show-route-v4-v6.txt')),
    );
  });

  it('BIRD 2, IPv4 and IPv6 tables: device next hops, a recursive iBGP route with its peer, blackholes', () => {
    const routes = parseBirdRoutes(fixture('netns-bird2-show-route-v4-v6.txt'));
    assert.equal(routes.length, 8);
    const kernel = routes.find((route) => route.prefix === 'fd00:99::/64');
    assert.deepEqual([kernel?.type, kernel?.protocol, kernel?.nextHops], ['unicast', 'k6', [{ iface: 'eth0' }]]);
    const bgp6 = routes.find((route) => route.prefix === 'fd00:168:2::/122');
    assert.deepEqual(bgp6?.nextHops, [{ via: 'fd00:10::2', iface: 'eth0' }]);
    assert.equal(bgp6?.from, '10.10.10.2');
    assert.equal(bgp6?.asPath, 'i');
    assert.equal(bgp6?.preference, 100);
    assert.deepEqual(parseBirdRoutes(fixture('netns-bird2-show-route-table-master6.txt')), routes.slice(4));
  });

  it('BIRD 1.6 as calico-node prints it (T3-09): inline via and dev, (100/0), (100/?), (100/-), [i], [AS65001?]', () => {
    const routes = parseBirdRoutes(fixture('calico-bird16-show-route.handwritten.txt'));
    assert.deepEqual(
      routes.map((r) => [r.prefix, r.type, r.protocol, r.best, r.preference, r.igpMetric, r.asPath]),
      [
        ['0.0.0.0/0', 'unicast', 'kernel1', true, 10, undefined, undefined],
        ['192.168.36.64/26', 'unicast', 'Mesh_172_18_0_4', true, 100, '0', 'i'],
        ['192.168.36.64/26', 'unicast', 'Node_10_10_10_1', false, 100, '?', 'AS65001?'],
        ['192.168.36.64/26', 'unreachable', 'Mesh_172_18_0_5', false, 100, '-', 'i'],
        ['192.168.69.128/26', 'blackhole', 'static1', true, 200, undefined, undefined],
        ['192.168.69.128/26', 'blackhole', 'kernel1', false, 10, undefined, undefined],
        ['192.168.69.128/32', 'unicast', 'direct1', true, 240, undefined, undefined],
        ['192.168.69.129/32', 'unicast', 'kernel1', true, 10, undefined, undefined],
        ['172.18.0.0/16', 'unicast', 'direct1', true, 240, undefined, undefined],
      ],
    );
    assert.deepEqual(routes[1]?.nextHops, [{ via: '172.18.0.4', iface: 'eth0' }]);
    assert.equal(routes[2]?.from, '10.10.10.1');
    assert.deepEqual(routes[7]?.nextHops, [{ iface: 'cali3f1b2c4d5e6' }]);
  });

  it('refuses a line it does not understand, naming it', () => {
    assertParseError(() => parseBirdRoutes('Table master4:\n10.0.0.0/8 ??? nonsense\n'), /bird show route/, /line 2/);
    assertParseError(() => parseBirdRoutes(fixture('netns-bird2-show-route-count.txt')), /line 2/);
    assertParseError(() => parseBirdRoutes('BIRD 2.0.12 ready.\n\tvia 10.0.0.1 on eth0\n'), /before any route/);
    assertParseError(() => parseBirdRoutes('10.0.0.0/8 unicast [static1 10:00:00] * (200) [AS1x]\n'), /line 1/);
    assertParseError(() => parseBirdRoutes('10.0.0.0/8 unicast [static1 10:00:00] * (200/x)\n'), /line 1/);
  });
});

describe('FRR JSON', () => {
  it('bgp summary: dynamic peers with state and prefix counts', () => {
    const summary = parseFrrBgpSummary(fixture('frr-bgp-summary.json'));
    assert.equal(summary.routerId, '10.10.10.1');
    assert.equal(summary.localAs, 65001);
    assert.deepEqual(
      summary.peers.map((p) => [p.address, p.state, p.remoteAs, p.version, p.prefixesReceived, p.dynamic]),
      [
        ['10.10.10.11', 'Established', 65010, 4, 2, true],
        ['10.10.10.12', 'Established', 65010, 4, 2, true],
      ],
    );
  });

  it("one vtysh call's four answers, split and each read by its own reader", () => {
    const [summary, neighbors, paths, rib] = splitJsonDocuments('frr tables', fixture('netns-frr-router-tables.txt'), 4) as [
      string,
      string,
      string,
      string,
    ];
    assert.deepEqual(
      parseFrrBgpSummary(summary).peers.map((peer) => [peer.address, peer.state]),
      [
        ['10.10.10.10', 'Established'],
        ['10.10.10.11', 'Established'],
        ['10.10.10.12', 'Established'],
      ],
    );
    assert.equal(parseFrrNeighbors(neighbors).length, 3);
    assert.deepEqual(
      parseFrrBgpRoutes(paths).map((route) => route.prefix),
      ['10.10.10.0/24'],
    );
    assert.deepEqual(
      parseFrrIpRoutes(rib).map((route) => [route.prefix, route.protocol]),
      [
        ['10.10.10.0/24', 'connected'],
        ['172.20.20.0/24', 'connected'],
      ],
    );
  });

  it('refuses output with another number of answers, or text between them', () => {
    const text = fixture('netns-frr-router-tables.txt');
    assertParseError(() => splitJsonDocuments('frr tables', text, 3), /expected 3 JSON documents, found 4/);
    assertParseError(() => splitJsonDocuments('frr tables', `${text}% bgpd is not running\n`, 4), /text outside the JSON documents/);
    assertParseError(() => splitJsonDocuments('frr tables', text.slice(0, -20), 4), /cut short/);
    assertParseError(() => splitJsonDocuments('frr tables', '{"a":"}{"}\n}', 1), /outside any document/);
    assert.deepEqual(splitJsonDocuments('t', '{"a":"}\\"{"}\n[1]', 2), ['{"a":"}\\"{"}', '[1]']);
  });

  it('bgp summary of a router with no neighbour at all', () => {
    assert.deepEqual(parseFrrBgpSummary('{\n}\n').peers, []);
  });

  it("a neighbour's routes, and what it was sent", () => {
    const routes = parseFrrBgpRoutes(fixture('frr-bgp-neighbor-routes.json'));
    assert.deepEqual(
      routes.map((r) => [r.prefix, r.nextHops, r.asPath, r.peer]),
      [
        ['172.16.0.240/28', ['10.10.10.11'], '65010', '10.10.10.11'],
        ['192.168.1.0/26', ['10.10.10.11'], '65010', '10.10.10.11'],
      ],
    );
    assert.ok(parseFrrAdvertisedRoutes(fixture('frr-bgp-neighbor-advertised-routes.json')).includes('10.10.10.0/24'));
    assertParseError(() => parseFrrAdvertisedRoutes('{ "warning": "Inbound soft reconfiguration not enabled" }'), /soft reconfiguration/);
  });

  it('the whole BGP table, with the local network statement', () => {
    const routes = parseFrrBgpRoutes(fixture('frr-bgp-ipv4.json'));
    assert.ok(routes.some((r) => r.prefix === '10.10.10.0/24' && r.peer === '(unspec)'));
    assert.equal(routes.filter((r) => r.prefix === '172.16.0.240/28').length, 2);
  });

  it("one prefix's paths carry their communities", () => {
    const [path] = parseFrrPrefixPaths(fixture('frr-bgp-prefix.json'));
    assert.deepEqual(path, { peer: '10.10.10.11', nextHops: ['10.10.10.11'], communities: ['65010:100'], internal: false });
    assert.deepEqual(parseFrrPrefixPaths('{}'), []);
  });

  // Derived from the recorded frr-bgp-prefix.json: the shapes FRR 8.4 prints for a large community, and for paths cut short.
  const prefixWith = (edit: (path: Record<string, unknown>) => void): string => {
    const root = JSON.parse(fixture('frr-bgp-prefix.json')) as { paths: Record<string, unknown>[] };
    for (const path of root.paths) edit(path);
    return JSON.stringify(root);
  };

  it('a large community (aa:nn:mm, as a BGPConfiguration may give) is one of the communities, not none', () => {
    const text = prefixWith((path) => (path.largeCommunity = { string: '65010:100:200', list: ['65010:100:200'] }));
    assert.deepEqual(parseFrrPrefixPaths(text)[0]?.communities, ['65010:100', '65010:100:200']);
  });

  it('refuses a path without its peer, a community without its list, and a route path without its AS path', () => {
    assertParseError(() => parseFrrPrefixPaths(prefixWith((path) => delete path.peer)), /peer\.peerId/);
    assertParseError(
      () => parseFrrPrefixPaths(prefixWith((path) => (path.community = { string: '65010:100' }))),
      /"community" without a list/,
    );
    const routes = JSON.parse(fixture('frr-bgp-ipv4.json')) as { routes: Record<string, Record<string, unknown>[]> };
    for (const paths of Object.values(routes.routes)) for (const path of paths) delete path.path;
    assertParseError(() => parseFrrBgpRoutes(JSON.stringify(routes)), /without "path" or "peerId"/);
  });

  it("zebra's table: an ECMP route has every next hop", () => {
    const routes = parseFrrIpRoutes(fixture('frr-ip-route.json'));
    const lb = routes.find((r) => r.prefix === '172.16.0.240/28')!;
    assert.equal(lb.protocol, 'bgp');
    assert.deepEqual(lb.nextHops, ['10.10.10.11', '10.10.10.12']);
    assert.equal(routes.find((r) => r.prefix === '10.10.10.0/24')!.protocol, 'connected');
  });

  it('refuses what is not JSON', () => {
    assertParseError(() => parseFrrBgpSummary('% Unknown command'), /frr show bgp summary json/, /invalid JSON/);
  });
});

describe('FRR neighbours JSON', () => {
  it('reads each neighbour with its End-of-RIB markers', async () => {
    const { parseFrrNeighbors } = await import('../../support/parse/frr.ts');
    const neighbors = parseFrrNeighbors(fixture('frr-bgp-neighbors.json'));
    assert.deepEqual(neighbors.map((n) => [n.address, n.state, n.remoteAs, n.endOfRibSent, n.endOfRibReceived]).sort(), [
      ['10.10.10.11', 'Established', 65010, true, true],
      ['10.10.10.12', 'Established', 65010, true, true],
    ]);
  });

  it('refuses a neighbour whose remote AS is not a number', async () => {
    const { parseFrrNeighbors } = await import('../../support/parse/frr.ts');
    const neighbors = JSON.parse(fixture('frr-bgp-neighbors.json')) as Record<string, Record<string, unknown>>;
    for (const neighbor of Object.values(neighbors)) neighbor.remoteAs = 'external';
    assertParseError(() => parseFrrNeighbors(JSON.stringify(neighbors)), /remoteAs is not an AS number/);
  });
});

describe('FRR JSON of neighbouring commands and IPv6 (FRR 8.4.4)', () => {
  it('show bgp summary json with IPv4 and IPv6 families; show ip bgp summary json reads the same', () => {
    const summary = parseFrrBgpSummary(fixture('netns-frr-bgp-summary-dual.json'));
    assert.equal(summary.routerId, '10.10.10.1');
    assert.equal(summary.localAs, 65001);
    assert.deepEqual(
      summary.peers.map((peer) => [peer.address, peer.state, peer.remoteAs]),
      [
        ['10.10.10.2', 'Established', 65010],
        ['fd00:10::2', 'Established', 65010],
      ],
    );
    assert.equal(summary.peers[0]?.prefixesReceived, 2);
    assert.deepEqual(
      parseFrrBgpSummary(fixture('netns-frr-ip-bgp-summary.json')).peers.map((peer) => peer.address),
      ['10.10.10.2', 'fd00:10::2'],
    );
  });

  it('refuses the one-family summary (no wrapper) and the per-VRF summary instead of reading "no peers"', () => {
    for (const file of ['netns-frr-bgp-ipv4-unicast-summary.json', 'netns-frr-bgp-ipv6-unicast-summary.json'])
      assertParseError(() => parseFrrBgpSummary(fixture(file)), /one address family/);
    assertParseError(() => parseFrrBgpSummary(fixture('netns-frr-bgp-vrf-all-summary.json')), /"default" is not an address family/);
  });

  it('show ip route json: a recursive next hop and the one resolving it are one path', () => {
    const rib = parseFrrIpRoutes(fixture('netns-frr-ip-route-recursive.json'));
    const bgp = rib.find((route) => route.prefix === '192.168.2.0/26');
    assert.deepEqual([bgp?.protocol, bgp?.installed, bgp?.nextHops, bgp?.resolvedVia], ['bgp', true, ['10.20.0.5'], ['10.10.10.2']]);
    const paths = parseFrrBgpRoutes(fixture('netns-frr-bgp-ipv4-recursive.json')).filter((route) => route.prefix === '192.168.2.0/26');
    assert.equal(paths.length, bgp?.nextHops.length, 'as many installed next hops as BGP paths');
    assert.deepEqual(parseFrrPrefixPaths(fixture('netns-frr-bgp-prefix-recursive.json'))[0]?.nextHops, ['10.20.0.5']);
    assert.deepEqual(
      parseFrrBgpRoutes(fixture('netns-frr-bgp-neighbor-routes-recursive.json')).map((route) => route.prefix),
      ['192.168.2.0/26', '192.168.3.0/26'],
    );
    assert.ok(parseFrrAdvertisedRoutes(fixture('netns-frr-bgp-neighbor-advertised-routes-dual.json')).includes('172.20.0.0/24'));
  });

  it('IPv6: a path has one global next hop and its link-local one; zebra installs the link-local', () => {
    for (const file of ['netns-frr-bgp-ipv6.json', 'netns-frr-bgp-ipv6-neighbor-routes.json']) {
      const [path] = parseFrrBgpRoutes(fixture(file));
      assert.deepEqual(path?.nextHops, ['fd00:20::5'], file);
      assert.match(path?.linkLocalNextHop ?? '', /^fe80::/);
    }
    const route = parseFrrIpRoutes(fixture('netns-frr-ipv6-route.json')).find((entry) => entry.prefix === 'fd00:168:2::/122');
    assert.equal(route?.nextHops.length, 1);
    assert.match(route?.nextHops[0] ?? '', /^fe80::/);
  });

  it('refuses JSON of another command', () => {
    assertParseError(() => parseFrrBgpRoutes(fixture('netns-frr-bgp-summary-dual.json')), /no "routes" object/);
    assertParseError(() => parseFrrIpRoutes(fixture('netns-frr-bgp-summary-dual.json')), /is not a prefix/);
    assertParseError(() => parseFrrPrefixPaths(fixture('netns-frr-bgp-summary-dual.json')), /"paths" list/);
    assertParseError(() => parseFrrAdvertisedRoutes(fixture('netns-frr-bgp-ipv6.json')), /advertisedRoutes/);
    assert.equal(parseFrrNeighbors(fixture('netns-frr-bgp-neighbors-dual.json')).length, 2);
  });
});

describe("BIRD's route counts per channel (show protocols all <name>)", () => {
  const recorded = fixture('netns-bird2-show-protocols-all-bgp.txt');

  it("reads the ipv4 channel's Routes: line", () => {
    assert.deepEqual(parseBirdRouteCounts(recorded), [{ channel: 'ipv4', imported: 1, exported: 0 }]);
  });

  it('keeps each channel of a dual-stack session apart, and reads the filtered count an import filter adds', () => {
    const ipv6 = '  Channel ipv6\n    State:          UP\n    Routes:         2 imported, 1 filtered, 3 exported, 2 preferred\n';
    assert.deepEqual(parseBirdRouteCounts(`${recorded}${ipv6}`), [
      { channel: 'ipv4', imported: 1, exported: 0 },
      { channel: 'ipv6', imported: 2, exported: 3 },
    ]);
  });

  it('refuses a Routes: line of another form, or a second one in a channel, instead of reading the first', () => {
    assertParseError(() => parseBirdRouteCounts(recorded.replace('0 exported', 'none exported')), /another form/);
    assertParseError(() => parseBirdRouteCounts(recorded.replace(/( +Routes: .*\n)/, '$1$1')), /a second Routes: line for channel ipv4/);
  });
});
