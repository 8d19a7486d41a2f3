import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labLessonsFor, lessonOfFeature, lessonWorkloadDirs, selectedLessons } from '../support/run/lessons-selected.ts';
import { loadLabSpec } from '../support/lab/spec.ts';

test("a feature's lesson is its numbered folder", () => {
  assert.equal(lessonOfFeature('features/04-k8s-services/service-rules.feature'), 'lesson-04');
  assert.equal(lessonOfFeature('/x/features/11-headless-services/a.feature'), 'lesson-11');
  assert.equal(lessonOfFeature('features/network-model/mesh.feature'), undefined);
});

test("the lessons a run selects follow cucumber's own selection; only those with fixtures have workload folders", async () => {
  assert.deepEqual(await selectedLessons({ tags: '@lesson-04', claims: [], paths: [] }), ['lesson-04']);
  assert.deepEqual(await selectedLessons({ tags: undefined, claims: ['L03-07'], paths: [] }), ['lesson-03']);
  const dirs = lessonWorkloadDirs(['lesson-03', 'lesson-04']);
  assert.equal(dirs.length, 1);
  assert.match(dirs[0] ?? '', /fixtures\/lessons\/lesson-04$/);
});

test("the embedded lab carries the selected lessons' workloads (and those they build on), every lesson's when a feature has no lesson folder", () => {
  assert.deepEqual(labLessonsFor(['features/02-pod-network/a.feature', 'features/03-pod-routing/b.feature']), ['lesson-02', 'lesson-03']);
  assert.deepEqual(labLessonsFor(['features/05-k8s-dns/a.feature']), ['lesson-04', 'lesson-05']);
  assert.equal(labLessonsFor(['features/02-pod-network/a.feature', 'features/network-model/mesh.feature']), undefined);
  const lessonsOf = (spec: ReturnType<typeof loadLabSpec>) => [
    ...new Set(spec.workloads.map((workload) => workload.lesson).filter(Boolean)),
  ];
  assert.deepEqual(lessonsOf(loadLabSpec({ lessons: ['lesson-02', 'lesson-03'] })), []);
  assert.deepEqual(lessonsOf(loadLabSpec({ lessons: ['lesson-04'] })), ['lesson-04']);
  assert.deepEqual(lessonsOf(loadLabSpec()), ['lesson-04', 'lesson-05', 'lesson-11']);
  assert.ok(
    loadLabSpec({ lessons: [] }).workloads.some((workload) => workload.name === 'coredns'),
    "kubeadm's CoreDNS is on every lab",
  );
});
