import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvironmentError } from '../support/domain.ts';
import type { Verdict } from '../support/evidence.ts';
import { askUntil, eventually, patience, pauses, waitUntil } from '../support/eventually.ts';

const verdictAfter = (holdsOnLook: number) => {
  let looks = 0;
  const check = async (): Promise<Verdict> => {
    looks += 1;
    return { ok: looks >= holdsOnLook, expected: 'the replica to be up', observed: `look ${looks}`, evidence: [] };
  };
  return { check, looks: () => looks };
};

test('eventually returns the first verdict that holds, without waiting out the window', async () => {
  const { check, looks } = verdictAfter(3);
  const started = Date.now();
  const seen = await eventually(check, { withinMs: 60_000, everyMs: 10 });
  assert.equal(seen.ok, true);
  assert.equal(seen.observed, 'look 3');
  assert.equal(looks(), 3);
  assert.ok(Date.now() - started < 5_000);
});

test("without a settle bound, a verdict that never holds is asked for the claim's whole window, and the last one returned", async () => {
  const { check, looks } = verdictAfter(Infinity);
  const started = Date.now();
  const seen = await eventually(check, { withinMs: 300, everyMs: 20 });
  assert.equal(seen.ok, false);
  assert.ok(Date.now() - started >= 280, 'it waited the window');
  assert.equal(seen.observed, `look ${looks()}`, 'the last look, unchanged');
});

test("a target's settle bound ends the wait sooner, and the verdict says it was asked until then", async () => {
  const { check } = verdictAfter(Infinity);
  const started = Date.now();
  const seen = await eventually(check, { withinMs: 60_000, everyMs: 20, settlesWithinMs: 200 });
  assert.equal(seen.ok, false);
  assert.ok(Date.now() - started < 5_000, 'ended at the settle bound, not the claim window');
  assert.match(seen.observed, /^look \d+ \(still so after 0 s, by when this target has settled\)$/);
});

test('a target settled when its change returned (a bound of 0) is asked once, and its verdict stands as it is', async () => {
  const { check, looks } = verdictAfter(Infinity);
  const seen = await eventually(check, { withinMs: 30_000, everyMs: 1_000, settlesWithinMs: 0 });
  assert.equal(looks(), 1);
  assert.equal(seen.ok, false);
  assert.equal(seen.observed, 'look 1');
});

test('a settle bound longer than the claim window leaves the window as it is', () => {
  assert.deepEqual(patience({ withinMs: 10_000, everyMs: 500, settlesWithinMs: 15_000 }), { ms: 10_000, cutShort: false });
  assert.deepEqual(patience({ withinMs: 60_000, everyMs: 500, settlesWithinMs: 15_000 }), { ms: 15_000, cutShort: true });
});

test('waitUntil returns the value once done, and otherwise throws an EnvironmentError with the last thing it saw', async () => {
  let looks = 0;
  const value = await waitUntil(
    'redis-0 to be Ready',
    async () => (++looks < 2 ? { done: false, seen: 'Pending' } : { done: true, value: 'ok' }),
    {
      withinMs: 5_000,
      everyMs: 10,
    },
  );
  assert.equal(value, 'ok');
  await assert.rejects(
    waitUntil('redis-0 to be Ready', async () => ({ done: false, seen: 'redis-0 Pending, no IP' }), { withinMs: 100, everyMs: 20 }),
    (error: Error) =>
      error instanceof EnvironmentError && /waiting for redis-0 to be Ready; last seen: redis-0 Pending, no IP/.test(error.message),
  );
  await assert.rejects(
    waitUntil('redis-0 to be Ready', async () => ({ done: false, seen: 'ImagePullBackOff', fatal: 'the image cannot be pulled' }), {
      withinMs: 60_000,
      everyMs: 20,
    }),
    /gave up waiting for redis-0 to be Ready: the image cannot be pulled; last seen: ImagePullBackOff/,
  );
});

test('the pauses start at the asked interval, grow by half up to a second, and the last one ends at the deadline', () => {
  let clock = 0;
  const seen: number[] = [];
  for (const wait of pauses(100, 3_000, () => clock)) {
    seen.push(wait);
    clock += wait;
  }
  assert.deepEqual(seen, [100, 150, 225, 337.5, 506.25, 759.375, 921.875]);
  assert.equal(clock, 3_000, 'the last look is at the end of the window');
  const slow = pauses(5_000, 12_000, () => 0);
  assert.deepEqual(
    [slow.next().value, slow.next().value, slow.next().value],
    [5_000, 5_000, 5_000],
    'a window that asks for longer pauses keeps them',
  );
});

test('a wait that never ends well looks a few times a second at most, not at its asked interval', async () => {
  const { check, looks } = verdictAfter(Infinity);
  await eventually(check, { withinMs: 1_500, everyMs: 10 });
  assert.ok(looks() < 20, `${looks()} looks in 1.5 s`);
});

test('askUntil returns the first settled answer, or the last one when the window closes', async () => {
  let asked = 0;
  const counting = async () => ++asked;
  assert.deepEqual(await askUntil(counting, (n) => n === 3, { withinMs: 5_000, everyMs: 10 }), { answer: 3, settled: true });
  asked = 0;
  const never = await askUntil(counting, () => false, { withinMs: 50, everyMs: 10 });
  assert.equal(never.settled, false);
  assert.equal(never.answer, asked);
  assert.ok(asked >= 2, `asked ${asked} times`);
  const cut = await askUntil(counting, () => false, { withinMs: 60_000, everyMs: 10, settlesWithinMs: 30 });
  assert.equal(cut.cutShortAfterMs, 30);
});
