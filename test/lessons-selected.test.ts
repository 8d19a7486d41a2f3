import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lessonOfFeature, lessonWorkloadDirs, selectedLessons } from '../support/run/lessons-selected.ts';

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
