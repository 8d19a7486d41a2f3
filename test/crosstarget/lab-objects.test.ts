import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planLab } from '../../support/lab/model.ts';
import { loadLabSpec } from '../../support/lab/spec.ts';
import { calicoBgpObjectsFrom } from '../../support/net/calico-bgp.ts';
import { bgpObjects, labObjects } from './lab-objects.ts';

for (const topology of ['calico-bgp', 'calico-bgp-ippool', 'selective-bgp-peering']) {
  test(`${topology}: the BGPConfiguration and BGPPeers served read back as the resources the topology applied`, () => {
    const state = planLab(loadLabSpec({ topology }));
    const objects = bgpObjects(state);
    assert.ok(objects.every((o) => o.apiVersion === 'crd.projectcalico.org/v1' && !o.metadata.namespace));
    // As the kind target reads them (kind-cluster.ts bgpObjects: crd objects passed through calicoBgpObjectsFrom).
    const read = calicoBgpObjectsFrom([objects.map((o) => JSON.stringify(o)).join('\n---\n')]);
    assert.deepEqual(read.configuration, state.spec.bgp?.objects.configuration);
    assert.deepEqual(read.peers, state.spec.bgp?.objects.peers);
  });
}

test('selective-bgp-peering: a Node carries the labels the Kind config gives it', () => {
  const state = planLab(loadLabSpec({ topology: 'selective-bgp-peering' }));
  const labelled = labObjects(state).filter(
    (o) => o.kind === 'Node' && Object.keys(o.metadata.labels).some((k) => !k.includes('kubernetes.io')),
  );
  assert.deepEqual(
    labelled.map((o) => o.metadata.name),
    state.nodes.filter((n) => Object.keys(n.labels ?? {}).length).map((n) => n.name),
  );
  assert.ok(labelled.length > 0);
});

test('calico-overlay: no BGP objects (the topology applies none)', () => {
  assert.deepEqual(bgpObjects(planLab(loadLabSpec({ topology: 'calico-overlay' }))), []);
});
