/**
 * Generated VXLAN devices made with the real iproute2 (6.1.0) in a throwaway namespace, IPv4
 * and IPv6 underlays (`local`/`local6`, `remote`/`remote6`), read back from `ip -d -j link show`:
 * every field made must be read as made (issue 24). The namespace is deleted afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { throwawayNetns } from './throwaway-netns.ts';
import { parseVxlanLink } from '../../support/parse/vxlan.ts';

interface Device {
  vni: number;
  port: number;
  local: string;
  remote: string | undefined;
  learning: boolean;
}

const netns = throwawayNetns('pnvx');
const inNetns = netns.run;

const address = (family: 4 | 6) =>
  family === 4
    ? fc
        .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }))
        .map(([a, b, c]) => `${a}.${b}.0.${c}`)
    : fc
        .tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffff }))
        .map(([a, b]) => `fd00:${a.toString(16)}::${b.toString(16)}`);

const deviceArb = fc.constantFrom(4 as const, 6 as const).chain((family) =>
  fc.record({
    vni: fc.integer({ min: 1, max: 16_777_215 }),
    port: fc.integer({ min: 1024, max: 65_535 }),
    local: address(family),
    remote: fc.option(address(family), { nil: undefined }),
    learning: fc.boolean(),
  }),
);

describe('VXLAN: generated devices made with the real ip and read back from ip -d -j link show', () => {
  before(() => netns.create());
  after(() => netns.remove());

  it('IPv4 and IPv6 underlays: VNI, port, local, remote, learning', () => {
    fc.assert(
      fc.property(deviceArb, (device: Device) => {
        inNetns([
          'ip',
          'link',
          'add',
          'vxprop',
          'type',
          'vxlan',
          'id',
          String(device.vni),
          'dstport',
          String(device.port),
          'local',
          device.local,
          ...(device.remote ? ['remote', device.remote] : []),
          ...(device.learning ? [] : ['nolearning']),
        ]);
        try {
          const read = parseVxlanLink(inNetns(['ip', '-d', '-j', 'link', 'show', 'vxprop']));
          assert.deepEqual(
            { vni: read.vni, port: read.port, local: read.local, remote: read.remote, learning: read.learning },
            { vni: device.vni, port: device.port, local: device.local, remote: device.remote, learning: device.learning },
          );
        } finally {
          inNetns(['ip', 'link', 'del', 'vxprop']);
        }
      }),
      { numRuns: 25 },
    );
  });
});
