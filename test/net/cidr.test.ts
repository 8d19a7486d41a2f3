import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCidr, parseCidr, parseInterfaceAddress } from '../../support/net/cidr.ts';

describe('parseInterfaceAddress', () => {
  it("keeps the host address of Calico's node address and gives its network", () => {
    const seen = parseInterfaceAddress('172.18.0.2/16');
    assert.equal(seen.address, '172.18.0.2');
    assert.equal(formatCidr(seen.network), '172.18.0.0/16');
    assert.equal(formatCidr(parseInterfaceAddress('10.10.10.11/24').network), '10.10.10.0/24');
  });

  it('reads a bare address as /32', () => {
    assert.deepEqual(parseInterfaceAddress('10.0.0.5'), { address: '10.0.0.5', network: parseCidr('10.0.0.5/32') });
  });

  it('rejects what is not an address', () => {
    assert.throws(() => parseInterfaceAddress('172.18.0.300/16'), /not a CIDR/);
  });

  it('while parseCidr stays strict about host bits', () => {
    assert.throws(() => parseCidr('172.18.0.2/16'), /host bits set/);
  });
});
