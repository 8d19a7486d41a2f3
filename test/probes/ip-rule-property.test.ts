/**
 * Generated policy-routing rules added with the real iproute2 (6.1.0) in a throwaway namespace,
 * listed by `ip rule` and read back: every field added must be read as added, for IPv4 and
 * IPv6 (issue 24). The namespace is deleted afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { throwawayNetns } from './throwaway-netns.ts';
import ipaddr from 'ipaddr.js';
import { parseIpRules } from '../../support/parse/ip-rule.ts';

type Family = 4 | 6;
interface Generated {
  priority: number;
  not: boolean;
  from: string | undefined;
  to: string | undefined;
  mark: { value: number; mask: number | undefined } | undefined;
  table: number;
}

const netns = throwawayNetns('pnrule');
const inNetns = netns.run;

function cidrArb(family: Family): fc.Arbitrary<string> {
  const bytes = family === 4 ? 4 : 16;
  return fc.tuple(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.integer({ min: 1, max: bytes * 8 })).map(([raw, length]) => {
    const masked = raw.map((byte, i) => byte & ((0xff << (8 - Math.max(0, Math.min(8, length - i * 8)))) & 0xff));
    return `${ipaddr.fromByteArray([...masked]).toString()}/${length}`;
  });
}

function ruleArb(family: Family): fc.Arbitrary<Generated> {
  return fc.record({
    priority: fc.integer({ min: 1, max: 32_000 }),
    not: fc.boolean(),
    from: fc.option(cidrArb(family), { nil: undefined }),
    to: fc.option(cidrArb(family), { nil: undefined }),
    mark: fc.option(
      fc.record({
        value: fc.integer({ min: 1, max: 0xffff }),
        mask: fc.option(fc.constantFrom(0xff, 0xff00, 0x200000, 0xffff0000), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    table: fc.integer({ min: 1, max: 250 }),
  });
}

/** How ip prints a prefix: a host route's address alone. */
const printed = (cidr: string, family: Family) => (cidr.endsWith(family === 4 ? '/32' : '/128') ? cidr.split('/')[0] : cidr);

function addArgv(rule: Generated, family: Family): string[] {
  return [
    'ip',
    `-${family}`,
    'rule',
    'add',
    ...(rule.not ? ['not'] : []),
    ...(rule.from ? ['from', rule.from] : []),
    ...(rule.to ? ['to', rule.to] : []),
    ...(rule.mark
      ? ['fwmark', `0x${rule.mark.value.toString(16)}${rule.mark.mask === undefined ? '' : `/0x${rule.mark.mask.toString(16)}`}`]
      : []),
    'table',
    String(rule.table),
    'pref',
    String(rule.priority),
  ];
}

describe('ip rule: generated rules added with the real ip and read back', () => {
  before(() => netns.create());
  after(() => netns.remove());

  for (const family of [4, 6] as const) {
    it(`IPv${family}: priority, not, from, to, fwmark with and without a mask, table`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(ruleArb(family), { minLength: 1, maxLength: 6, selector: (r) => r.priority }), (generated) => {
          for (const rule of generated) inNetns(addArgv(rule, family));
          try {
            const read = parseIpRules(inNetns(['ip', `-${family}`, 'rule']));
            // The kernel's own (local, main, and for IPv4 default) and the generated ones.
            assert.equal(read.length, generated.length + (family === 4 ? 3 : 2));
            for (const rule of generated) {
              const seen = read.find((candidate) => candidate.priority === rule.priority);
              assert.ok(seen, `rule ${rule.priority} not read back`);
              assert.equal(seen.not, rule.not);
              assert.equal(seen.from, rule.from ? printed(rule.from, family) : 'all');
              assert.equal(seen.to, rule.to ? printed(rule.to, family) : undefined);
              const mask = rule.mark?.mask;
              assert.equal(
                seen.fwmark,
                rule.mark ? `0x${rule.mark.value.toString(16)}${mask === undefined ? '' : `/0x${mask.toString(16)}`}` : undefined,
              );
              assert.equal(seen.table, String(rule.table));
            }
          } finally {
            for (const rule of generated) inNetns(['ip', `-${family}`, 'rule', 'del', 'pref', String(rule.priority)]);
          }
        }),
        { numRuns: 15 },
      );
    });
  }
});
