import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpRouteGet } from '../../support/parse/ip-route-get.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseIpRouteGet', () => {
  it('reads the course node resolving a remote pod via the other node (lesson 03)', () => {
    assert.deepStrictEqual(parseIpRouteGet(fixture('node-ip-route-get.txt')), {
      dst: '192.168.112.197',
      type: 'unicast',
      gateway: '172.18.0.3',
      dev: 'eth0',
      src: '172.18.0.2',
      uid: 0,
    });
  });

  it('reads a lookup from a pod: via 169.254.1.1 out of eth0, from the pod IP', () => {
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-pod-ip-route-get.txt')), {
      dst: '192.168.20.65',
      type: 'unicast',
      gateway: '169.254.1.1',
      dev: 'eth0',
      src: '192.168.10.1',
      uid: 0,
    });
  });

  it('reads a lookup of a local pod from its node: straight to the cali interface, no gateway', () => {
    const lookup = parseIpRouteGet(fixture('netns-node-ip-route-get-local-pod.txt'));
    assert.equal(lookup.gateway, undefined);
    assert.equal(lookup.dev, 'cali7f8e9d0c1b2');
  });

  it('reads the type of a lookup of an own address', () => {
    const lookup = parseIpRouteGet(fixture('netns-pod-ip-route-get-local.txt'));
    assert.deepEqual([lookup.type, lookup.dev], ['local', 'lo']);
  });

  for (const base of [
    'netns-pod-ip-route-get',
    'netns-node-ip-route-get',
    'netns-node-ip-route-get-local-pod',
    'netns-pod-ip-route-get-local',
  ]) {
    it(`gives the same data from ${base}.txt and .json`, () => {
      assert.deepStrictEqual(parseIpRouteGet(fixture(`${base}.txt`)), parseIpRouteGet(fixture(`${base}.json`)));
    });
  }

  it('rejects failed lookups, garbage and route tables', () => {
    assertParseError(() => parseIpRouteGet('RTNETLINK answers: No route to host\n'), /the lookup failed/, /No route to host/);
    assertParseError(() => parseIpRouteGet(''), /empty output/);
    assertParseError(() => parseIpRouteGet('hello world'), /"hello" is not a route destination/);
    assertParseError(() => parseIpRouteGet(fixture('pod-ip-route.txt')), /expected one route line followed by "cache" lines/);
    assertParseError(() => parseIpRouteGet('    cache\n'), /indented line/);
    assertParseError(() => parseIpRouteGet('blackhole 10.0.0.0/8'), /route without "dev"/);
    assertParseError(() => parseIpRouteGet(fixture('netns-pod-ip-route.json')), /expected exactly one route, got 2/);
    assertParseError(() => parseIpRouteGet('[{"dst": "10.0.0.1"}]'), /"dev"/);
  });
});

describe('parseIpRouteGet with a path MTU the kernel learnt (lesson 18)', () => {
  it('reads the cached MTU from the text and from the JSON', () => {
    assert.equal(parseIpRouteGet(fixture('netns-mtu-route-get-pmtu.txt')).mtu, 1500);
    assert.equal(parseIpRouteGet(fixture('netns-mtu-route-get-pmtu.json')).mtu, 1500);
  });
});

describe('parseIpRouteGet on iproute2 6.1.0 in two namespaces (netns-h24c-*, issue 24)', () => {
  it('reads a plain IPv4 lookup, with -d (type and table printed) the same', () => {
    const expected = { dst: '10.24.0.2', type: 'unicast', dev: 'veth0', src: '10.24.0.1', uid: 0 };
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-h24c-ip-route-get.txt')), expected);
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-h24c-ip-route-get.json')), expected);
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-h24c-ip-d-route-get.txt')), expected);
  });

  it('reads an IPv6 lookup (`from ::`, proto, metric, pref; no cache line)', () => {
    const expected = { dst: 'fd00:24::2', type: 'unicast', dev: 'veth0', src: 'fd00:24::1' };
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-h24c-ip-6-route-get.txt')), expected);
    assert.deepStrictEqual(parseIpRouteGet(fixture('netns-h24c-ip-6-route-get.json')), expected);
  });

  it('reads the one path the kernel picked from a multipath route, IPv4 and IPv6', () => {
    assert.deepEqual(
      [
        parseIpRouteGet(fixture('netns-h24c-ip-route-get-multipath.txt')).gateway,
        parseIpRouteGet(fixture('netns-h24c-ip-route-get-multipath.txt')).dev,
      ],
      ['10.24.1.2', 'veth1'],
    );
    assert.equal(parseIpRouteGet(fixture('netns-h24c-ip-6-route-get-multipath.txt')).gateway, 'fd00:25::2');
  });

  for (const base of ['netns-h24c-ip-route-get-from', 'netns-h24c-ip-route-get-iif', 'netns-h24c-ip-route-get-mark']) {
    it(`reads ${base} (the lookup's own inputs recognised), text = JSON`, () => {
      assert.deepStrictEqual(parseIpRouteGet(fixture(`${base}.txt`)), parseIpRouteGet(fixture(`${base}.json`)));
    });
  }

  it('reads a lookup with a mark through the rule to table 100, and an input lookup out of veth1', () => {
    assert.equal(parseIpRouteGet(fixture('netns-h24c-ip-route-get-mark.txt')).gateway, '10.24.0.2');
    assert.equal(parseIpRouteGet(fixture('netns-h24c-ip-route-get-iif.txt')).dev, 'veth1');
  });

  it('reads a lookup of an own address (`cache <local>`) and `fibmatch` (the matching route)', () => {
    assert.equal(parseIpRouteGet(fixture('netns-h24c-ip-route-get-local.txt')).type, 'local');
    assert.equal(parseIpRouteGet(fixture('netns-h24c-ip-route-get-fibmatch.txt')).dev, 'veth0');
  });

  it("refuses the kernel's refusal, an unknown cache word, and a JSON key it does not know", () => {
    assertParseError(() => parseIpRouteGet(fixture('netns-h24c-ip-route-get-unreachable.txt')), /the lookup failed/, /line 1/);
    assertParseError(
      () => parseIpRouteGet('10.24.0.2 dev veth0 src 10.24.0.1 uid 0 \n    cache redirected-to 10.0.0.1 \n'),
      /unknown word "redirected-to" in a cache line/,
      /line 2/,
    );
    assertParseError(() => parseIpRouteGet('[{"dst":"10.24.0.2","dev":"veth0","encap":"ip","flags":[]}]'), /"encap"/);
  });

  it('reads a gateway of another family (`via inet6`) from JSON', () => {
    const lookup = parseIpRouteGet(
      '[{"dst":"10.24.0.2","via":{"family":"inet6","host":"fe80::1"},"dev":"veth0","flags":[],"uid":0,"cache":[]}]',
    );
    assert.equal(lookup.gateway, 'fe80::1');
  });
});
