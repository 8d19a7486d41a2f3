import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatrixQueue, SMALLEST_SHARE, slowestFirst, type MatrixUnit, type TopologyWork } from '../../support/mutation/plan.ts';

const faults = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const course: TopologyWork[] = [
  { topology: 'kind', scenarios: 93, faults: faults('k', 48) },
  { topology: 'bgp', scenarios: 8, faults: faults('b', 12) },
  { topology: 'static', scenarios: 11, faults: faults('s', 7) },
  { topology: 'overlay', scenarios: 15, faults: faults('o', 8) },
];

/** Workers taking turns, as their units end, each asking until the queue says nothing is left: the units in the order handed out. */
function drain(queue: MatrixQueue, workers: number) {
  const inOrder: MatrixUnit[] = [];
  const finished = new Set<number>();
  for (let turn = 0; finished.size < workers; turn++) {
    const worker = turn % workers;
    if (finished.has(worker)) continue;
    const unit = queue.next(worker);
    if (unit) inOrder.push(unit);
    else finished.add(worker);
  }
  return inOrder;
}

test('every fault of every topology is handed out once, and each topology once for its clean lab', () => {
  for (const workers of [1, 2, 3, 5]) {
    const queue = new MatrixQueue(course);
    const units = drain(queue, workers);
    assert.deepEqual(units.flatMap((unit) => unit.fault ?? []).sort(), course.flatMap((work) => work.faults).sort());
    for (const work of course)
      assert.equal(units.filter((unit) => unit.topology === work.topology && unit.fault === undefined).length, 1, work.topology);
    assert.equal(queue.remaining, 0);
  }
});

test("a topology's clean run is its first unit, before any fault of it", () => {
  const units = drain(new MatrixQueue(course), 3);
  for (const work of course) assert.equal(units.find((unit) => unit.topology === work.topology)?.fault, undefined, work.topology);
});

test('a worker stays on its topology while it has work, and the big topology is shared by every worker at first', () => {
  const queue = new MatrixQueue(course);
  const first = [0, 1, 2].map((worker) => queue.next(worker)?.topology);
  assert.deepEqual(first, ['kind', 'kind', 'kind']);
  assert.equal(queue.next(1)?.topology, 'kind');
});

test('a worker whose units are slow does not hold the others back: the others take what is left', () => {
  const queue = new MatrixQueue([{ topology: 'kind', scenarios: 93, faults: faults('k', 20) }]);
  assert.ok(queue.next(0)); // worker 0 takes a slow unit and is busy with it…
  let byWorker1 = 0;
  while (queue.next(1)) byWorker1 += 1; // …while worker 1 works through the rest
  assert.equal(byWorker1, 20);
  assert.equal(queue.next(0), undefined);
});

test('a topology with only a few runs left gets no second lab', () => {
  const queue = new MatrixQueue([{ topology: 'bgp', scenarios: 8, faults: faults('b', SMALLEST_SHARE - 2) }]);
  assert.equal(queue.next(0)?.topology, 'bgp');
  assert.equal(queue.next(1), undefined, 'a second lab for what one lab finishes soon');
  assert.ok(queue.next(0));
});

test('one fault: its topology once clean and once broken', () => {
  const queue = new MatrixQueue([{ topology: 'kind', scenarios: 93, faults: ['k1'] }]);
  assert.deepEqual(queue.next(0), { topology: 'kind' });
  assert.deepEqual(queue.next(0), { topology: 'kind', fault: 'k1' });
  assert.equal(queue.next(0), undefined);
});

test('the faults that fail the most claims are handed out first, ties in their given order', () => {
  const claims: Record<string, number> = { quick: 1, dns: 28, other: 1, routes: 37, mtu: 2 };
  assert.deepEqual(
    slowestFirst(Object.keys(claims), (fault) => claims[fault] ?? 0),
    ['routes', 'dns', 'mtu', 'quick', 'other'],
  );
});
