/**
 * What a When saw, kept by kind and read by the Thens (issue 20): a Then before its When says
 * which When to add, a later When of a kind replaces the earlier record, and a When whose
 * records no Then read is named, step by step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PingSeen } from '../support/claims/traffic-actions.ts';
import { SeenRecords } from '../support/seen.ts';

const ping = (name: string) => ({ from: { name }, to: { name: 'b' } }) as unknown as PingSeen;

test('a Then with no When before it names the When to add', () => {
  assert.throws(() => new SeenRecords().read('ping', 'a When step that pings'), /no ping in this scenario yet; add a When step that pings/);
});

test('a Then reads the last When of its kind, and the record counts as read', () => {
  const records = new SeenRecords();
  records.step = 1;
  records.keep('ping', ping('first'));
  records.step = 2;
  records.keep('ping', ping('second'));
  assert.equal(records.read('ping', '…').from.name, 'second');
  assert.deepEqual(records.unread(), []);
});

test("a When whose records no Then read is named; reading one of a step's records is enough", () => {
  const records = new SeenRecords();
  records.step = 3;
  records.keep('ping', ping('a'));
  records.keep('capture', { ping: ping('a') } as never);
  records.step = 5;
  records.keep('fetch', { from: 'node x' } as never);
  records.read('capture', '…');
  assert.deepEqual(records.unread(), [{ step: 5, kinds: ['fetch'] }]);
  // The report's picture and the diagnosis peek without counting.
  assert.ok(records.peek('fetch'));
  assert.deepEqual(records.unread(), [{ step: 5, kinds: ['fetch'] }]);
});
