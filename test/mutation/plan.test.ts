import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planMatrix, type TopologyWork } from '../../support/mutation/plan.ts';

const faults = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const course: TopologyWork[] = [
  { topology: 'kind', scenarios: 93, faults: faults('k', 48) },
  { topology: 'bgp', scenarios: 8, faults: faults('b', 12) },
  { topology: 'static', scenarios: 11, faults: faults('s', 7) },
  { topology: 'overlay', scenarios: 15, faults: faults('o', 8) },
];

const everyFault = (lanes: ReturnType<typeof planMatrix>) =>
  lanes
    .flat()
    .flatMap((job) => job.faults)
    .sort();

test('every fault of every topology is run once, and each topology once on the clean lab', () => {
  for (const workers of [1, 2, 3]) {
    const lanes = planMatrix(course, workers);
    assert.equal(lanes.length, workers);
    assert.deepEqual(everyFault(lanes), course.flatMap((work) => work.faults).sort());
    for (const work of course)
      assert.equal(lanes.flat().filter((job) => job.topology === work.topology && job.clean).length, 1, work.topology);
  }
});

test('the big topology is split over both workers, so that their loads are close', () => {
  const lanes = planMatrix(course, 2);
  assert.ok(lanes.every((jobs) => jobs.some((job) => job.topology === 'kind')));
  const scenarios = new Map(course.map((work) => [work.topology, work.scenarios]));
  const load = (jobs: (typeof lanes)[number]) =>
    jobs.reduce((sum, job) => sum + (job.faults.length + (job.clean ? 1 : 0)) * ((scenarios.get(job.topology) ?? 0) + 12), 0);
  const [a, b] = lanes.map(load) as [number, number];
  assert.ok(Math.abs(a - b) / Math.max(a, b) < 0.25, `loads ${a} and ${b}`);
});

test('a small topology is not split: a second lab would cost more than it saves', () => {
  const lanes = planMatrix(course, 2);
  for (const topology of ['bgp', 'static', 'overlay'])
    assert.equal(lanes.flat().filter((job) => job.topology === topology).length, 1, topology);
});

test('one fault: its topology once clean and once broken, on one lab', () => {
  const lanes = planMatrix([{ topology: 'kind', scenarios: 93, faults: ['k1'] }], 2);
  assert.deepEqual(lanes.flat(), [{ topology: 'kind', clean: true, faults: ['k1'] }]);
});
