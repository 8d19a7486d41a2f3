import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bgpSessionState, parseBirdProtocols, parseBirdRoutes } from '../../support/probes/parse/bird.ts';
import {
  parseFrrAdvertisedRoutes,
  parseFrrBgpRoutes,
  parseFrrBgpSummary,
  parseFrrIpRoutes,
  parseFrrPrefixPaths,
} from '../../support/probes/parse/frr.ts';
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

  it('skips the attributes of show route all', () => {
    assert.deepEqual(parseBirdRoutes(fixture('bird-show-route-all.txt')), parseBirdRoutes(fixture('bird-show-route.txt')));
  });

  it('refuses a line it does not understand', () => {
    assertParseError(() => parseBirdRoutes('Table master4:\n10.0.0.0/8 ??? nonsense\n'), /bird show route/);
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
    const { parseFrrNeighbors } = await import('../../support/probes/parse/frr.ts');
    const neighbors = parseFrrNeighbors(fixture('frr-bgp-neighbors.json'));
    assert.deepEqual(neighbors.map((n) => [n.address, n.state, n.remoteAs, n.endOfRibSent, n.endOfRibReceived]).sort(), [
      ['10.10.10.11', 'Established', 65010, true, true],
      ['10.10.10.12', 'Established', 65010, true, true],
    ]);
  });
});
