import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpRouteGet } from '../../support/probes/parse/ip-route-get.ts';
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
