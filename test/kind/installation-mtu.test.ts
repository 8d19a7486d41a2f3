/**
 * setInstallationMtu on the kind target: it patches the Installation, then waits as
 * `kubectl rollout status daemonset` does until the operator has rendered the new MTU into
 * calico-node (a new generation of the DaemonSet) and the DaemonSet has rolled out. A stand-in
 * for the operator and the DaemonSet controller moves one step per API request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EnvironmentError } from '../../support/domain.ts';
import type { FakeApiServer } from './fake-apiserver.ts';
import { harness, type Harness } from './helpers.ts';

type Obj = Record<string, any>;
const NODES = 3;

/** The operator notices an Installation change `lag` requests later; the controller then replaces one pod per request. */
class OperatorStandIn {
  rendered = 1;
  seenChangeAt: number | undefined;
  stuck = false;
  constructor(private readonly lag = 3) {}

  step(fake: FakeApiServer): void {
    const installation = fake.get('operator.tigera.io/v1', 'installations', undefined, 'default');
    const ds = fake.get('apps/v1', 'daemonsets', 'calico-system', 'calico-node');
    if (!installation || !ds) return;
    const status = ds.status as Obj;
    if (installation.metadata.generation > this.rendered) {
      this.seenChangeAt ??= fake.requests.length;
      if (fake.requests.length - this.seenChangeAt < this.lag) return;
      this.rendered = installation.metadata.generation;
      this.seenChangeAt = undefined;
      const mtu = installation.spec.calicoNetwork?.mtu;
      ds.spec.template.spec.containers[0].env = mtu === undefined ? [] : [{ name: 'FELIX_VXLANMTU', value: String(mtu) }];
      ds.metadata.generation += 1;
    } else if (status.observedGeneration < ds.metadata.generation) {
      Object.assign(status, { observedGeneration: ds.metadata.generation, updatedNumberScheduled: 0, numberAvailable: NODES - 1 });
    } else if (status.updatedNumberScheduled < NODES) {
      status.updatedNumberScheduled += 1;
    } else if (!this.stuck) {
      status.numberAvailable = NODES;
    }
  }
}

function calicoNode(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'calico-node', namespace: 'calico-system', generation: 1 },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'calico-node' } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { 'k8s-app': 'calico-node' } },
        spec: { containers: [{ name: 'calico-node', image: 'calico/node', env: [] }] },
      },
    },
    status: {
      desiredNumberScheduled: NODES,
      currentNumberScheduled: NODES,
      updatedNumberScheduled: NODES,
      numberAvailable: NODES,
      numberReady: NODES,
      observedGeneration: 1,
    },
  };
}

const installation = (): Obj => ({
  apiVersion: 'operator.tigera.io/v1',
  kind: 'Installation',
  metadata: { name: 'default', generation: 1 },
  spec: { calicoNetwork: { ipPools: [{ cidr: '192.168.0.0/16', encapsulation: 'VXLANCrossSubnet' }] } },
});

describe("setInstallationMtu (kind): waits for calico-node's rollout", () => {
  let h: Harness;
  let operator: OperatorStandIn;
  before(async () => {
    operator = new OperatorStandIn();
    // The stand-in keeps the DaemonSet's status: the fake's own controller stays out (`kubelet`).
    h = await harness({
      kubelet: { start: async () => undefined, stop: async () => undefined },
      beforeRequest: (fake) => operator.step(fake),
    });
    h.fake.put(installation());
    h.fake.put(calicoNode());
  });
  after(() => h.close());

  const ds = () => h.fake.get('apps/v1', 'daemonsets', 'calico-system', 'calico-node') as Obj;

  it('patches the MTU in, and returns only once the new generation of calico-node is rolled out', async () => {
    await h.cluster({ mtuFromNodeFile: false }).setInstallationMtu(1400);
    const installed = h.fake.get('operator.tigera.io/v1', 'installations', undefined, 'default') as Obj;
    assert.equal(installed.spec.calicoNetwork.mtu, 1400);
    assert.equal(await h.cluster().installationMtu(), 1400, 'read back, for a scenario to put it back after');
    assert.equal(installed.spec.calicoNetwork.ipPools.length, 1, 'a merge patch leaves the rest of the spec');
    assert.equal(ds().metadata.generation, 2, 'the operator rendered the change');
    assert.deepEqual(ds().spec.template.spec.containers[0].env, [{ name: 'FELIX_VXLANMTU', value: '1400' }]);
    const { observedGeneration, updatedNumberScheduled, numberAvailable, desiredNumberScheduled } = ds().status;
    assert.deepEqual([observedGeneration, updatedNumberScheduled, numberAvailable], [2, desiredNumberScheduled, desiredNumberScheduled]);
  });

  it('removes the MTU with null, and waits for that rollout too', async () => {
    await h.cluster().setInstallationMtu(undefined);
    const installed = h.fake.get('operator.tigera.io/v1', 'installations', undefined, 'default') as Obj;
    assert.equal('mtu' in installed.spec.calicoNetwork, false);
    assert.equal(await h.cluster().installationMtu(), undefined);
    assert.equal(ds().metadata.generation, 3);
    assert.equal(ds().status.numberAvailable, NODES);
  });

  it('setting the MTU it already has waits for no new generation (the operator makes none)', async () => {
    const generation = ds().metadata.generation;
    await h.cluster({ calicoRolloutTimeoutMs: 2_000 }).setInstallationMtu(undefined);
    assert.equal(ds().metadata.generation, generation);
  });

  it('a rollout that does not finish is a timeout that says where it stands and what to look at', async () => {
    operator.stuck = true;
    // The stand-in moves one step per request and needs about nine to reach its stuck state; the
    // wait's pauses grow from the harness's interval, so 3 s leaves room for a dozen looks also
    // on a loaded machine (500 ms was about nine, and fell short beside the mutation matrix).
    await assert.rejects(h.cluster({ calicoRolloutTimeoutMs: 3_000 }).setInstallationMtu(1300), (error: Error) => {
      assert.ok(error instanceof EnvironmentError);
      assert.match(error.message, /timed out after \d+ s waiting for the operator to roll DaemonSet calico-system\/calico-node out/);
      assert.match(error.message, /last seen: 2 of 3 updated pods available/);
      assert.match(error.message, /kubectl -n calico-system rollout status daemonset calico-node/);
      return true;
    });
  });
});
