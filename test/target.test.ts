import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EnvironmentError } from '../support/domain.ts';
import { chooseTarget } from '../support/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'podnet-target-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const kubeconfig = (context: string) => {
  const file = join(dir, `${context}.yaml`);
  writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: ${context}\ncontexts: []\nclusters: []\nusers: []\n`);
  return file;
};

test('no kubeconfig anywhere: the embedded lab', () => {
  assert.equal(chooseTarget({ HOME: dir }).kind, 'netns');
});

test('a kubeconfig whose current context is a Kind cluster: the kind target', () => {
  const choice = chooseTarget({ HOME: dir, KUBECONFIG: kubeconfig('kind-podnet') });
  assert.equal(choice.kind, 'kind');
  assert.match(choice.reason, /Kind context kind-podnet/);
});

test('any other current context is never chosen on its own', () => {
  assert.throws(
    () => chooseTarget({ HOME: dir, KUBECONFIG: kubeconfig('prod-eu-1') }),
    (error: unknown) => {
      assert.ok(error instanceof EnvironmentError);
      assert.match(error.message, /"prod-eu-1" is not a Kind cluster's/);
      assert.match(error.message, /--target kind .*--target netns/);
      return true;
    },
  );
  assert.equal(chooseTarget({ HOME: dir, KUBECONFIG: kubeconfig('prod-eu-1'), E2E_CONTEXT: 'kind-lab' }).kind, 'kind');
});

test('an explicit target wins, and a wrong one is refused', () => {
  assert.equal(chooseTarget({ E2E_TARGET: 'kind' }).kind, 'kind');
  assert.equal(chooseTarget({ E2E_TARGET: 'netns', KUBECONFIG: kubeconfig('kind-x') }).kind, 'netns');
  assert.throws(() => chooseTarget({ E2E_TARGET: 'docker' }), /is not a target/);
});
