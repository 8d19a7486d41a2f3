import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { ParseError } from '../../support/parse/errors.ts';

describe('ParseError', () => {
  it('names the parser, the reason, the line and quotes the input with visible whitespace', () => {
    const error = new ParseError('parseIpRoutes', 'unknown word "x"', '10.0.0.0/8 x\t1 ', 3);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ParseError');
    assert.equal(error.message, 'parseIpRoutes: unknown word "x" (line 3: "10.0.0.0/8 x\\t1 ")');
    assert.deepEqual(
      [error.parser, error.reason, error.lineNumber, error.excerpt],
      ['parseIpRoutes', 'unknown word "x"', 3, '10.0.0.0/8 x\t1 '],
    );
  });

  it('keeps message and excerpt short when the input is long', () => {
    const error = new ParseError('parsePing', 'no header', 'x'.repeat(10_000));
    assert.ok(error.message.length < 250, error.message);
    assert.match(error.message, /\(input: "x+…"\)$/);
    assert.ok(error.excerpt.length <= 160);
  });
});

test('parseJsonObject: one JSON object, else an error naming the reader (a CNI configuration file that is a list is no configuration)', async () => {
  const { parseJsonObject } = await import('../../support/parse/json.ts');
  assert.deepEqual(parseJsonObject('/etc/cni/net.d/00-multus.conf', '{"type":"multus"}'), { type: 'multus' });
  assert.throws(() => parseJsonObject('/etc/cni/net.d/00-multus.conf', '[{"type":"multus"}]'), /00-multus\.conf.*expected a JSON object/s);
  assert.throws(() => parseJsonObject('/etc/cni/net.d/00-multus.conf', '{"type":'), /invalid JSON/);
});
