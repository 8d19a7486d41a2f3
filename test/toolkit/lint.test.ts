/**
 * `npm run lint:features`: the real features pass; small bad features, one fault each, are
 * each reported at their file and line by the rule that owns the convention.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBin, withScratch } from './helpers.ts';

test('the features of the suite pass the lint', () => {
  const { code, stdout, stderr } = runBin('lint-features.ts', []);
  assert.equal(code, 0, `${stdout}${stderr}`);
  assert.match(stdout, /lint:features: \d+ feature files, no problems/);
});

const BAD: Record<string, string> = {
  'no-claim.feature': `@lesson-02
Feature: A scenario without a claim

  Scenario: Nodes are Ready, but which claim is this?
    Then every node is Ready
`,
  'unknown-claim.feature': `@lesson-02
Feature: A claim the catalogue does not have

  @claim:L02-99
  Scenario: A claim nobody wrote down
    Then every node is Ready
`,
  'two-lessons.feature': `@lesson-02
Feature: A scenario in two lessons

  @lesson-03 @claim:L02-01
  Scenario: Lesson 02 or lesson 03?
    Then every node is Ready
`,
  'ip-in-step.feature': `@lesson-03
Feature: A literal address in a step

  @claim:L03-08
  Scenario: A pod named by its address
    Given a multitool-1 pod on a worker node, called "source"
    Then the node of "source" routes the IP of "192.168.112.197" via the other node's InternalIP on eth0
`,
  'ip-in-table.feature': `@lesson-02
Feature: A literal address in a data table

  @claim:L02-07
  Scenario: A gateway that only one lab has
    Given a multitool pod on a worker node, called "pod"
    Then the routing table of "pod" is exactly:
      | default via 172.18.0.1 dev eth0 |
`,
  'undefined-step.feature': `@lesson-03
Feature: A step that no definition matches

  @claim:L03-07
  Scenario: TTL in other words
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on another worker node, called "target"
    When "source" pings "target" 3 times
    Then every echo reply has TTL 62
`,
  'same-names.feature': `@lesson-02
Feature: Two scenarios with one name

  @claim:L02-01
  Scenario: Nodes are Ready
    Then every node is Ready

  @claim:L02-01
  Scenario: Nodes are Ready
    Then the cluster has 1 control-plane node and 2 worker nodes
`,
  'gateway.feature': `@lesson-02
Feature: Calico's gateway is the one address a feature may name

  @claim:L02-07
  Scenario: The link-local gateway in a table
    Given a multitool pod on a worker node, called "pod"
    Then the routing table of "pod" is exactly:
      | default via 169.254.1.1 dev eth0 |
      | 169.254.1.1 dev eth0 scope link  |
`,
};

test('each bad feature is reported at its file and line, by its rule', () => {
  withScratch('podnet-lint-', (dir) => {
    for (const [name, text] of Object.entries(BAD)) writeFileSync(join(dir, name), text);
    const { code, stdout, stderr } = runBin('lint-features.ts', [dir]);
    assert.equal(code, 1, `${stdout}${stderr}`);
    const expect = (file: string, line: number, rule: string, message: RegExp) => {
      const finding = stdout.split('\n').find((row) => row.startsWith(`${join(dir, file)}:${line}:`) && row.endsWith(`(${rule})`));
      assert.ok(finding, `expected ${file}:${line} to be reported by ${rule}; the lint said:\n${stdout}`);
      assert.match(finding, message);
    };
    expect('no-claim.feature', 4, 'required-tags', /@claim/);
    expect('unknown-claim.feature', 5, 'known-claim-ids', /no claim L02-99 in features\/CLAIMS\.md/);
    expect('two-lessons.feature', 5, 'one-lesson-tag', /2 lesson tags \(@lesson-02, @lesson-03\)/);
    expect('ip-in-step.feature', 7, 'no-restricted-patterns', /192\.168\.112\.197/);
    expect('ip-in-table.feature', 8, 'no-literal-ips-in-step-arguments', /literal IP address 172\.18\.0\.1/);
    expect(
      'undefined-step.feature',
      9,
      'undefined-step',
      /undefined step "Then every echo reply has TTL 62"; nearest step: "Then every reply carries TTL \{int\}"/,
    );
    expect('same-names.feature', 9, 'no-dupe-scenario-names', /already used in: .*same-names\.feature:5/);
    assert.doesNotMatch(stdout, /gateway\.feature/, "Calico's gateway 169.254.1.1 is allowed");
    assert.match(stdout, /lint:features: 7 problems in 8 feature files/);
  });
});

test('an unknown option is a usage error, exit 2', () => {
  const { code, stderr } = runBin('lint-features.ts', ['--no-such-option']);
  assert.equal(code, 2);
  assert.match(stderr, /usage: npm run lint:features/);
});
