/**
 * The kind target reads Calico's objects strictly (issue 24): the recorded-shape fixtures are
 * read, and an object missing what Calico always writes, or holding a mode Calico does not
 * have, is refused with its kind named, never read as an empty name or CIDR, or as "None".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  parseBlockAffinity,
  parseInstallationPool,
  parseIpamBlock,
  parseIpPool,
  parseIpReservation,
} from '../../support/cluster/kind/calico.ts';
import { ParseError } from '../../support/parse/errors.ts';

type Obj = { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
const items = (file: string): Obj[] =>
  (parse(readFileSync(new URL(`../fixtures/k8s/${file}`, import.meta.url), 'utf8')) as { items: Obj[] }).items;
const pool = items('ippools.yaml')[0] as Obj;
const block = items('ipamblocks.yaml')[0] as Obj;
const edited = (obj: Obj, edit: (copy: Obj) => void): Obj => {
  const copy = structuredClone(obj);
  edit(copy);
  return copy;
};
const refused = (read: () => unknown, pattern: RegExp) =>
  assert.throws(read, (error: Error) => error instanceof ParseError && pattern.test(error.message), String(pattern));

test('the fixtures are read', () => {
  assert.equal(parseIpPool(pool, undefined).encapsulation, 'VXLANCrossSubnet');
  assert.ok(parseIpamBlock(block).allocations.length > 0);
});

test('an IPPool without its name or CIDR, or with a mode Calico does not have, is refused', () => {
  refused(
    () =>
      parseIpPool(
        edited(pool, (p) => delete p.metadata?.name),
        undefined,
      ),
    /IPPool.*no metadata\.name/,
  );
  refused(
    () =>
      parseIpPool(
        edited(pool, (p) => delete p.spec?.cidr),
        undefined,
      ),
    /IPPool.*spec\.cidr is not a CIDR/,
  );
  refused(
    () =>
      parseIpPool(
        edited(pool, (p) => ((p.spec as Record<string, unknown>).vxlanMode = 'Sometimes')),
        undefined,
      ),
    /modes are Never/,
  );
});

test("an Installation pool's encapsulation is one of the operator's, IPIP when it names none", () => {
  assert.equal(parseInstallationPool({ cidr: '192.168.0.0/16' }, 0).encapsulation, 'IPIP');
  refused(() => parseInstallationPool({ cidr: '192.168.0.0/16', encapsulation: 'VXLANAlways' }, 0), /Installation.*encapsulation/);
  refused(() => parseInstallationPool({ encapsulation: 'VXLAN' }, 1), /ipPools\[1\]\.cidr/);
});

test('an IPAM block whose allocation points past its attributes is refused, not read as a holder "unknown"', () => {
  refused(
    () => parseIpamBlock(edited(block, (b) => ((b.spec as Record<string, unknown>).allocations = [0, 99]))),
    /allocations\[1\] is 99/,
  );
  refused(() => parseIpamBlock(edited(block, (b) => delete b.spec?.allocations)), /allocations is not a list/);
});

test('a BlockAffinity without its node, and an IPReservation entry that is no address, are refused', () => {
  const affinity = { metadata: { name: 'a' }, spec: { node: 'worker', cidr: '192.168.1.0/26', state: 'confirmed', deleted: 'false' } };
  assert.equal(parseBlockAffinity(affinity).node, 'worker');
  refused(() => parseBlockAffinity({ ...affinity, spec: { ...affinity.spec, node: '' } }), /BlockAffinity.*no spec\.node/);
  assert.deepEqual(
    parseIpReservation({ metadata: { name: 'r' }, spec: { reservedCIDRs: ['192.168.1.0/28', '192.168.2.7'] } }).reservedCIDRs,
    ['192.168.1.0/28', '192.168.2.7'],
  );
  refused(() => parseIpReservation({ metadata: { name: 'r' }, spec: { reservedCIDRs: ['the first ten'] } }), /IPReservation/);
});
