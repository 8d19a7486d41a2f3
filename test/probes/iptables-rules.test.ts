import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIptablesRules } from '../../support/probes/parse/iptables-rules.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseIptablesRules', () => {
  it("reads Felix's cali-nat-outgoing rule: both ipset matches, the negation, the target", () => {
    const [rule, ...rest] = parseIptablesRules(fixture('netns-node-iptables-nat-S-cali-nat-outgoing.txt'));
    assert.equal(rest.length, 0);
    assert.equal(rule?.chain, 'cali-nat-outgoing');
    assert.equal(rule?.target, 'MASQUERADE');
    assert.deepEqual(rule?.sets, [
      { name: 'cali40masq-ipam-pools', direction: 'src', negated: false },
      { name: 'cali40all-ipam-pools', direction: 'dst', negated: true },
    ]);
    assert.ok(rule?.words.includes('cali:flqWnvo8yq4ULQLa'), 'the quoted comment is one word');
  });

  it('an empty chain has no rules; other text is refused', () => {
    assert.deepEqual(parseIptablesRules('-N cali-nat-outgoing\n'), []);
    assertParseError(() => parseIptablesRules('Chain cali-nat-outgoing (1 references)\n'), /not a line of iptables -S/);
  });
});
