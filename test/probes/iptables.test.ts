import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { throwawayNetns } from './throwaway-netns.ts';
import ipaddr from 'ipaddr.js';
import { parseIptablesRules, rulesOfChain, tokenize, type IptablesListing } from '../../support/parse/iptables.ts';
import { assertParseError, fixture } from './helpers.ts';

const only = (listing: IptablesListing, chain: string, table?: string) => rulesOfChain(listing, chain, table);

describe('iptables: recorded outputs, nft and legacy, IPv4 and IPv6', () => {
  it('reads no text as no tables (iptables-save in a namespace where none is in use prints nothing), and a blank line not at all', () => {
    assert.deepEqual(parseIptablesRules(''), { tables: [], chains: [], rules: [] });
    assertParseError(() => parseIptablesRules('\n'), /an empty line/);
  });

  it("-S of a whole table (nft): the NodePort jump's negated destination is not its destination", () => {
    for (const [file, loopback] of [
      ['netns-iptables-nft-nat-S.txt', '127.0.0.0/8'],
      ['netns-ip6tables-nft-nat-S.txt', '::1/128'],
    ] as const) {
      const listing = parseIptablesRules(fixture(file));
      const [plain, negated] = only(listing, 'KUBE-SERVICES').filter((rule) => rule.jump === 'KUBE-NODEPORTS');
      assert.equal(plain?.destination, undefined, file);
      assert.equal(negated?.destination, undefined, file);
      assert.equal(negated?.notDestination, loopback, file);
      assert.equal(negated?.comment, 'kubernetes service nodeports; NOTE: this must be the last rule in this chain');
      assert.deepEqual(listing.tables, []);
      assert.ok(listing.chains.some((chain) => chain.name === 'PREROUTING' && chain.policy === 'ACCEPT'));
    }
  });

  it("comments: iptables' escapes (\\\" \\\\ \\') undone, the empty comment read as empty", () => {
    for (const file of ['netns-iptables-nft-nat-S.txt', 'netns-iptables-legacy-nat-v-S.txt', 'netns-ip6tables-nft-save.txt']) {
      const listing = parseIptablesRules(fixture(file));
      const nodePorts = listing.rules.filter((rule) => rule.chain === 'KUBE-NODEPORTS');
      assert.equal(nodePorts[0]?.comment, `quote "q" back\\slash it's`, file);
      assert.equal(nodePorts[0]?.notDport, '53');
      assert.equal(nodePorts[0]?.dport, undefined);
      assert.equal(nodePorts[1]?.comment, '');
      assert.equal(nodePorts[1]?.notProtocol, 'tcp');
      assert.equal(nodePorts[1]?.protocol, undefined);
      assert.equal(nodePorts[2]?.inInterface, 'eth0');
      assert.equal(nodePorts[2]?.notOutInterface, 'lo');
    }
  });

  it('-v -S (legacy): "-c packets bytes" read as counters and left out of the text', () => {
    const listing = parseIptablesRules(fixture('netns-iptables-legacy-nat-v-S.txt'));
    const masq = listing.rules.find((rule) => rule.chain === 'KUBE-SVC-6IM33IEVEEV7U3GP' && rule.jump === 'KUBE-MARK-MASQ');
    assert.equal(masq?.packets, 0);
    assert.equal(
      masq?.text,
      '-A KUBE-SVC-6IM33IEVEEV7U3GP ! -s 192.168.0.0/16 -d 10.96.204.67/32 -p tcp -m comment --comment "default/nginx-service:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
    assert.ok(!masq?.args.includes('-c'));
    const texts = (file: string) =>
      parseIptablesRules(fixture(file))
        .rules.map((rule) => rule.text)
        .sort();
    assert.deepEqual(texts('netns-iptables-legacy-nat-v-S.txt'), texts('netns-iptables-nft-nat-S.txt'));
  });

  it('iptables-save of every table: each rule and chain keeps its table; a chain name asks for its table', () => {
    for (const file of ['netns-iptables-nft-save.txt', 'netns-iptables-legacy-save-c.txt', 'netns-ip6tables-nft-save.txt']) {
      const listing = parseIptablesRules(fixture(file));
      assert.deepEqual([...listing.tables].sort(), ['filter', 'nat'], file);
      assert.ok(listing.rules.some((rule) => rule.table === 'filter' && rule.chain === 'FORWARD' && rule.jump === 'KUBE-FORWARD'));
      assert.ok(listing.chains.some((chain) => chain.table === 'filter' && chain.name === 'FORWARD' && chain.policy === 'DROP'));
      assert.ok(listing.chains.some((chain) => chain.table === 'nat' && chain.name === 'KUBE-SERVICES' && chain.policy === undefined));
      assert.equal(only(listing, 'INPUT', 'filter').length, 2);
      assert.equal(only(listing, 'INPUT', 'nat').length, 0);
      assert.throws(() => rulesOfChain(listing, 'INPUT'), /name the table/);
    }
  });

  it('iptables-save -c (legacy, IPv6 nat): counters, sets with their negation, IPv6 DNAT', () => {
    const listing = parseIptablesRules(fixture('netns-ip6tables-legacy-save-c-nat.txt'));
    assert.deepEqual(listing.tables, ['nat']);
    assert.ok(listing.rules.every((rule) => rule.packets === 0 && rule.bytes === 0));
    const [outgoing] = only(listing, 'cali-nat-outgoing');
    assert.deepEqual(outgoing?.sets, [
      { name: 'cali60masq-ipam-pools', direction: 'src', negated: false },
      { name: 'cali60all-ipam-pools', direction: 'dst', negated: true },
    ]);
    assert.equal(outgoing?.jump, 'MASQUERADE');
    assert.ok(listing.rules.some((rule) => rule.toDestination === '[fd00:168::2]:80'));
    const [masq] = parseIptablesRules(fixture('netns-ip6tables-legacy-nat-S-kube-svc.txt')).rules;
    assert.equal(masq?.notSource, 'fd00:168::/64');
    assert.equal(masq?.destination, 'fd00:96::67/128');
  });

  it("Felix's cali-nat-outgoing rule as the lab programs it; POSTROUTING of a clean lab node", () => {
    const [rule, ...rest] = parseIptablesRules(fixture('netns-node-iptables-nat-S-cali-nat-outgoing.txt')).rules;
    assert.equal(rest.length, 0);
    assert.equal(rule?.jump, 'MASQUERADE');
    assert.deepEqual(rule?.sets, [
      { name: 'cali40masq-ipam-pools', direction: 'src', negated: false },
      { name: 'cali40all-ipam-pools', direction: 'dst', negated: true },
    ]);
    assert.equal(rule?.comment, 'cali:flqWnvo8yq4ULQLa');
    assert.deepEqual(parseIptablesRules(fixture('netns-node-iptables-nat-postrouting.txt')).rules, []);
    assert.deepEqual(parseIptablesRules('-N cali-nat-outgoing\n').rules, []);
  });

  it('refuses what iptables does not print, naming the line', () => {
    assertParseError(() => parseIptablesRules('Chain POSTROUTING (policy ACCEPT)'), /-P, -N or -A/, /line 1/);
    assertParseError(() => parseIptablesRules(fixture('course-iptables-nat-L-kube-svc.txt')), /line 1/);
    assertParseError(() => parseIptablesRules('-N X\n-A X -m frobnicate --frob 1 -j ACCEPT\n'), /frobnicate/, /line 2/);
    assertParseError(() => parseIptablesRules('-A X -m tcp --dport 80 --frob -j ACCEPT'), /--frob is not an option of match tcp/);
    assertParseError(() => parseIptablesRules('-A X -j DNAT --to-destination 1.2.3.4 --frob'), /target DNAT/);
    assertParseError(() => parseIptablesRules('-A X -j KUBE-SEP-A --to-destination 1.2.3.4'), /target KUBE-SEP-A/);
    assertParseError(() => parseIptablesRules('-A X -s ! 10.0.0.0/8 -j ACCEPT'), /10\.0\.0\.0\/8 is not an option/);
    assertParseError(() => parseIptablesRules('-A X -m comment --comment "a \\n" -j ACCEPT'), /backslash/);
    assertParseError(() => parseIptablesRules('-A X -m comment --comment "open -j ACCEPT'), /unterminated quote/);
    assertParseError(() => parseIptablesRules('*nat\n:X - [0:0]\n-A X -j ACCEPT\n'), /no COMMIT/, /line 1/);
    assertParseError(() => parseIptablesRules('*nat\nCOMMIT\n-A X -j ACCEPT\n'), /outside a table/, /line 3/);
    assertParseError(() => parseIptablesRules('*nat\n-N X\nCOMMIT\n'), /other form/, /line 2/);
    assertParseError(() => parseIptablesRules('-N X\n*nat\nCOMMIT\n'), /among lines of the other form/, /line 2/);
    assertParseError(() => parseIptablesRules('-A X -j ACCEPT\n\n-A X -j DROP\n'), /empty line/, /line 2/);
  });
});

/** xtables_save_string: quoted unless the word is only [A-Za-z0-9_-]; `"`, `\` and `'` escaped. */
function saveString(value: string): string {
  return /^[A-Za-z0-9_-]+$/.test(value) ? value : `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

const comment = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~'.split('')), maxLength: 40 });

describe('iptables: the tokenizer reads back what xtables_save_string writes', () => {
  it('any word list', () => {
    fc.assert(
      fc.property(fc.array(comment, { minLength: 1, maxLength: 6 }), (list) => {
        assert.deepEqual(tokenize(list.map(saveString).join(' ')), list);
      }),
      { numRuns: 300 },
    );
  });
});

interface Generated {
  source?: { cidr: string; negated: boolean };
  destination?: { cidr: string; negated: boolean };
  proto?: { name: 'tcp' | 'udp'; negated: boolean; dport?: { port: number; negated: boolean } };
  comment?: string;
  set?: { negated: boolean; direction: 'src' | 'dst' };
  target: { kind: 'chain'; name: string } | { kind: 'DNAT'; port: number };
}

/** Prefixes of at least one bit: iptables prints no match for /0, and nft refuses `! -d 0.0.0.0/0`. */
function cidrArb(family: 4 | 6): fc.Arbitrary<string> {
  const bytes = family === 4 ? 4 : 16;
  return fc.tuple(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.integer({ min: 1, max: bytes * 8 })).map(([raw, length]) => {
    const masked = raw.map((byte, i) => {
      const keep = Math.max(0, Math.min(8, length - i * 8));
      return byte & ((0xff << (8 - keep)) & 0xff);
    });
    return `${ipaddr.fromByteArray([...masked]).toString()}/${length}`;
  });
}

function ruleArb(family: 4 | 6): fc.Arbitrary<Generated> {
  const negatable = <T>(value: fc.Arbitrary<T>) =>
    fc.record({ negated: fc.boolean() }).chain(({ negated }) => value.map((v) => ({ v, negated })));
  return fc.record(
    {
      source: negatable(cidrArb(family)).map(({ v, negated }) => ({ cidr: v, negated })),
      destination: negatable(cidrArb(family)).map(({ v, negated }) => ({ cidr: v, negated })),
      proto: fc.record(
        {
          name: fc.constantFrom('tcp' as const, 'udp' as const),
          negated: fc.boolean(),
          dport: fc.record({ port: fc.integer({ min: 1, max: 65535 }), negated: fc.boolean() }),
        },
        { requiredKeys: ['name', 'negated'] },
      ),
      comment: comment.filter((text) => text.length > 0),
      set: fc.record({ negated: fc.boolean(), direction: fc.constantFrom('src' as const, 'dst' as const) }),
      target: fc.oneof(
        fc.constantFrom('ACCEPT', 'RETURN', 'KUBE-MARK-MASQ').map((name) => ({ kind: 'chain' as const, name })),
        fc.integer({ min: 1, max: 65535 }).map((port) => ({ kind: 'DNAT' as const, port })),
      ),
    },
    { requiredKeys: ['target'] },
  );
}

/** The rule as iptables-restore reads it (the order iptables prints: generic part, matches, target). */
function restoreLine(rule: Generated, family: 4 | 6): string {
  const words = ['-A', 'PROP'];
  const neg = (negated: boolean) => (negated ? ['!'] : []);
  if (rule.source) words.push(...neg(rule.source.negated), '-s', rule.source.cidr);
  if (rule.destination) words.push(...neg(rule.destination.negated), '-d', rule.destination.cidr);
  const proto = rule.proto;
  if (proto) words.push(...neg(proto.negated), '-p', proto.name);
  if (rule.comment !== undefined) words.push('-m', 'comment', '--comment', saveString(rule.comment));
  if (proto && !proto.negated && proto.dport)
    words.push('-m', proto.name, ...neg(proto.dport.negated), '--dport', String(proto.dport.port));
  if (rule.set) words.push('-m', 'set', ...neg(rule.set.negated), '--match-set', family === 4 ? 'prop4' : 'prop6', rule.set.direction);
  if (rule.target.kind === 'chain') words.push('-j', rule.target.name);
  else words.push('-j', 'DNAT', '--to-destination', dnatTo(rule, family));
  return words.join(' ');
}

/** DNAT takes a port only after a positive `-p tcp|udp`. */
function dnatTo(rule: Generated, family: 4 | 6): string {
  const address = family === 4 ? '10.0.0.1' : 'fd00::1';
  if (rule.target.kind !== 'DNAT' || !rule.proto || rule.proto.negated) return address;
  return family === 4 ? `${address}:${rule.target.port}` : `[${address}]:${rule.target.port}`;
}

const sameCidr = (printed: string | undefined, generated: string) => {
  assert.ok(printed, `expected ${generated}`);
  const [a, b] = [ipaddr.parseCIDR(printed), ipaddr.parseCIDR(generated)];
  assert.equal(`${a[0].toNormalizedString()}/${a[1]}`, `${b[0].toNormalizedString()}/${b[1]}`);
};

/** Checks what the parser read from iptables' own print of a generated rule. */
function compare(parsed: ReturnType<typeof parseIptablesRules>['rules'][number] | undefined, rule: Generated, family: 4 | 6): void {
  assert.ok(parsed);
  for (const [key, not] of [
    ['source', 'notSource'],
    ['destination', 'notDestination'],
  ] as const) {
    const generated = rule[key];
    if (!generated) {
      assert.equal(parsed[key] ?? parsed[not], undefined);
      continue;
    }
    sameCidr(generated.negated ? parsed[not] : parsed[key], generated.cidr);
    assert.equal(generated.negated ? parsed[key] : parsed[not], undefined);
  }
  const proto = rule.proto;
  assert.equal(parsed.protocol, proto && !proto.negated ? proto.name : undefined);
  assert.equal(parsed.notProtocol, proto?.negated ? proto.name : undefined);
  const dport = proto && !proto.negated ? proto.dport : undefined;
  assert.equal(parsed.dport, dport && !dport.negated ? String(dport.port) : undefined);
  assert.equal(parsed.notDport, dport?.negated ? String(dport.port) : undefined);
  assert.equal(parsed.comment, rule.comment);
  assert.deepEqual(
    parsed.sets,
    rule.set ? [{ name: family === 4 ? 'prop4' : 'prop6', direction: rule.set.direction, negated: rule.set.negated }] : [],
  );
  if (rule.target.kind === 'chain') assert.equal(parsed.jump, rule.target.name);
  else {
    assert.equal(parsed.jump, 'DNAT');
    assert.equal(parsed.toDestination, dnatTo(rule, family));
  }
}

const netns = throwawayNetns('pnprop');
const inNetns = netns.run;

describe('iptables: generated rules printed by the real iptables and read back', () => {
  before(() =>
    netns.create([
      ['ipset', 'create', 'prop4', 'hash:net'],
      ['ipset', 'create', 'prop6', 'hash:net', 'family', 'inet6'],
    ]),
  );
  after(() => netns.remove());

  for (const backend of ['nft', 'legacy'] as const) {
    for (const family of [4, 6] as const) {
      const tool = family === 4 ? 'iptables' : 'ip6tables';
      it(`${tool}-${backend}: iptables-restore, then -S and -save -c, parsed back`, () => {
        fc.assert(
          fc.property(fc.array(ruleArb(family), { minLength: 1, maxLength: 6 }), (generated) => {
            const dump = [
              '*nat',
              ':PROP - [0:0]',
              ':KUBE-MARK-MASQ - [0:0]',
              ...generated.map((rule) => restoreLine(rule, family)),
              'COMMIT',
              '',
            ].join('\n');
            inNetns([`${tool}-${backend}-restore`], dump);
            const listed = parseIptablesRules(inNetns([`${tool}-${backend}`, '-t', 'nat', '-S', 'PROP']));
            const saved = parseIptablesRules(inNetns([`${tool}-${backend}-save`, '-c', '-t', 'nat']));
            assert.equal(listed.rules.length, generated.length);
            generated.forEach((rule, i) => {
              compare(listed.rules[i], rule, family);
              compare(only(saved, 'PROP')[i], rule, family);
            });
          }),
          { numRuns: 8 },
        );
      });
    }
  }
});
