import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expectedProtocol } from '../../support/claims/bgp.ts';

const root = join(import.meta.dirname, '../..');

test("T3-08: the course's all() BGPPeer is a node-specific peer, BIRD protocol Node_10_10_10_1", () => {
  const peer = parse(readFileSync(join(root, 'fixtures/topologies/calico-bgp/calico/bgppeer.yaml'), 'utf8')) as {
    spec: { peerIP: string; nodeSelector: string };
  };
  assert.equal(peer.spec.nodeSelector, 'all()');
  assert.equal(
    expectedProtocol({ name: 'bgppeer-arista', peerIP: peer.spec.peerIP, asNumber: 65001, nodeSelector: 'all()', node: '' }),
    'Node_10_10_10_1',
  );
  assert.equal(
    expectedProtocol({ name: 'global', peerIP: '10.10.10.1', asNumber: 65001, nodeSelector: '', node: '' }),
    'Global_10_10_10_1',
  );
});

test("T3-08: L07-04's scenario says what its catalogue row says (Node_10_10_10_1, not Global_)", () => {
  const row = readFileSync(join(root, 'features/CLAIMS.md'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('| L07-04 |'));
  assert.match(row ?? '', /`Node_10_10_10_1`/);
  assert.match(row ?? '', /`node specific`/);
  const feature = readFileSync(join(root, 'features/07-calico-bgp/peering.feature'), 'utf8');
  const scenario = /@claim:L07-04\s*\n\s*Scenario: (.*)/.exec(feature)?.[1] ?? '';
  assert.match(scenario, /node specific \(Node_10_10_10_1\)/);
  assert.doesNotMatch(feature, /Global_|type global/);
});
