/**
 * Generated routes added with the real iproute2 (6.1.0) in a throwaway namespace, listed by `ip
 * route show table N` in text and with `-j`, and read back: both readings must give back what
 * was added (issue 24). The namespace holds a veth pair of its own and is deleted afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { throwawayNetns } from './throwaway-netns.ts';
import ipaddr from 'ipaddr.js';
import { parseIpRoutes, type Route } from '../../support/parse/ip-route.ts';

type Family = 4 | 6;
interface Generated {
  prefix: string;
  type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  /** For unicast: one gateway, or several (multipath) with weights, or none (on the link). */
  hops: { gateway: string; weight: number }[];
  metric: number | undefined;
  proto: 'static' | '80' | undefined;
}

// A fresh table for every generated set: `ip route flush` of a table the kernel has not made yet is an error.
let table = 1000;
const netns = throwawayNetns('pnroute');
const inNetns = netns.run;

function cidrArb(family: Family): fc.Arbitrary<string> {
  const bytes = family === 4 ? 4 : 16;
  return fc.tuple(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.integer({ min: 1, max: bytes * 8 })).map(([raw, length]) => {
    const masked = raw.map((byte, i) => {
      const keep = Math.max(0, Math.min(8, length - i * 8));
      return byte & ((0xff << (8 - keep)) & 0xff);
    });
    return `${ipaddr.fromByteArray([...masked]).toString()}/${length}`;
  });
}

function routeArb(family: Family): fc.Arbitrary<Generated> {
  const gateway = fc.integer({ min: 2, max: 250 }).map((n) => (family === 4 ? `10.77.0.${n}` : `fd00:77::${n.toString(16)}`));
  const hop = fc.record({ gateway, weight: fc.integer({ min: 1, max: 5 }) });
  return fc.record({
    prefix: cidrArb(family),
    type: fc.constantFrom('unicast' as const, 'unicast' as const, 'blackhole' as const, 'unreachable' as const, 'prohibit' as const),
    hops: fc.oneof(
      fc.constant<{ gateway: string; weight: number }[]>([]),
      hop.map((h) => [{ ...h, weight: 1 }]),
      fc.uniqueArray(hop, { minLength: 2, maxLength: 3, selector: (h) => h.gateway }),
    ),
    metric: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
    proto: fc.constantFrom('static' as const, '80' as const, undefined),
  });
}

function addArgv(route: Generated, family: Family, inTable: string): string[] {
  const head = ['ip', `-${family}`, 'route', 'add', ...(route.type === 'unicast' ? [] : [route.type]), route.prefix, 'table', inTable];
  const options = [
    ...(route.metric === undefined ? [] : ['metric', String(route.metric)]),
    ...(route.proto === undefined ? [] : ['proto', route.proto]),
  ];
  if (route.type !== 'unicast') return [...head, ...options];
  if (route.hops.length === 0) return [...head, 'dev', 'veth0', ...options];
  if (route.hops.length === 1) return [...head, 'via', route.hops[0]?.gateway as string, 'dev', 'veth0', ...options];
  return [...head, ...options, ...route.hops.flatMap((h) => ['nexthop', 'via', h.gateway, 'dev', 'veth0', 'weight', String(h.weight)])];
}

function compare(read: Route | undefined, route: Generated, family: Family): void {
  assert.ok(read, `no route ${route.prefix} read back`);
  assert.equal(read.prefix, route.prefix);
  assert.equal(read.type, route.type);
  // IPv6 routes always carry a metric (1024 unless set); IPv4 ones only when set.
  assert.equal(read.metric, route.metric ?? (family === 6 ? 1024 : undefined));
  assert.equal(read.proto, route.proto);
  if (route.type !== 'unicast') return;
  if (route.hops.length <= 1) {
    assert.equal(read.gateway, route.hops[0]?.gateway);
    assert.equal(read.dev, 'veth0');
    assert.equal(read.nexthops, undefined);
  } else {
    assert.equal(read.gateway, undefined);
    assert.deepEqual(
      read.nexthops?.map((h) => [h.gateway, h.dev, h.weight]),
      route.hops.map((h) => [h.gateway, 'veth0', h.weight]),
    );
  }
}

describe('ip route: generated routes added with the real ip and read back from text and -j', () => {
  before(() =>
    netns.create([
      ['ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1'],
      ['ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'veth0'],
      ['ip', 'addr', 'add', 'fd00:77::1/64', 'dev', 'veth0', 'nodad'],
      ['ip', 'link', 'set', 'veth1', 'up'],
      ['ip', 'link', 'set', 'veth0', 'up'],
    ]),
  );
  after(() => netns.remove());

  for (const family of [4, 6] as const) {
    it(`IPv${family}: unicast (on link, via, multipath), blackhole, unreachable, prohibit, metric and proto`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(routeArb(family), { minLength: 1, maxLength: 6, selector: (r) => r.prefix }), (generated) => {
          const inTable = String(table++);
          for (const route of generated) inNetns(addArgv(route, family, inTable));
          const text = parseIpRoutes(inNetns(['ip', `-${family}`, 'route', 'show', 'table', inTable]));
          const json = parseIpRoutes(inNetns(['ip', `-${family}`, '-j', 'route', 'show', 'table', inTable]));
          assert.equal(text.length, generated.length);
          assert.deepStrictEqual(json, text);
          for (const route of generated)
            compare(
              text.find((r) => r.prefix === route.prefix),
              route,
              family,
            );
        }),
        { numRuns: 25 },
      );
    });
  }
});
