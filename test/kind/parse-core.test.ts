import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { parseNode, parsePod, workloadOf } from '../../support/cluster/kind/parse-core.ts';

const pod = (metadata: Record<string, unknown>, phase = 'Running') =>
  ({ metadata, spec: { nodeName: 'w1', containers: [{ name: 'c' }] }, status: { phase } }) as unknown as V1Pod;

test("a ReplicaSet's pod belongs to its Deployment only when it carries the Deployment's pod-template-hash (issue 24)", () => {
  const owned = (labels: Record<string, string>) =>
    pod({
      name: 'x',
      namespace: 'd',
      labels,
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-frontend-5d8f9c7b6d', controller: true }],
    });
  assert.equal(workloadOf(owned({ 'pod-template-hash': '5d8f9c7b6d' })), 'web-frontend');
  // A bare ReplicaSet: no hash label; its name is not cut at the last dash (that read "web-frontend" before).
  assert.equal(workloadOf(owned({})), 'web-frontend-5d8f9c7b6d');
});

test('a pod or a node without its name or namespace is refused; an unknown phase is Unknown', () => {
  assert.throws(() => parsePod(pod({ namespace: 'd' })), /parsePod: without metadata.name/);
  assert.throws(() => parsePod(pod({ name: 'p' })), /parsePod: without metadata.namespace/);
  assert.throws(() => parseNode({ metadata: {} } as unknown as V1Node), /parseNode: without metadata.name/);
  assert.equal(parsePod(pod({ name: 'p', namespace: 'd' }, 'Evicted')).phase, 'Unknown');
});
