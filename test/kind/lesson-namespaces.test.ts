import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadManifests, prepareManifest } from '../../support/cluster/kind/workloads.ts';
import { LESSON_FIXTURES_DIR } from '../../support/run/lessons-selected.ts';

test("a lesson's own namespace stays its own; the rest goes to the suite's namespace", async () => {
  const manifests = (await loadManifests(join(LESSON_FIXTURES_DIR, 'lesson-05'))).map((manifest) =>
    prepareManifest(manifest, 'podnet-e2e'),
  );
  const where = Object.fromEntries(
    manifests.map((manifest) => [`${manifest.kind}/${manifest.metadata.name}`, manifest.metadata.namespace]),
  );
  assert.equal(where['Namespace/foo'], undefined);
  assert.equal(where['DaemonSet/multitool-3'], 'foo');
  assert.equal(where['Service/multitool-3-service'], 'foo');
  assert.equal(where['Service/multitool-1-service'], 'podnet-e2e');
});
