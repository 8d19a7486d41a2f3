/**
 * The suite's workloads on a cluster: manifests parsed (empty documents skipped), applied
 * server-side into the suite's namespace with the suite's label, awaited with a bounded wait
 * that reports what it saw, and removed afterwards unless kept; pods made by createPod.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { EnvironmentError } from '../../support/domain.ts';
import { DEFAULT_WORKLOADS_DIR, SuiteWorkloads, loadManifests, prepareManifest } from '../../support/cluster/kind/workloads.ts';
import { makeClients } from '../../support/cluster/kind/api.ts';
import { harness, type Harness } from './helpers.ts';

describe('workload manifests', () => {
  it('loads the suite fixtures: the bare pods and both DaemonSets', async () => {
    const manifests = await loadManifests(DEFAULT_WORKLOADS_DIR);
    assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort(), [
      'DaemonSet/multitool-1',
      'DaemonSet/multitool-2',
      'Pod/multitool',
      'Pod/multitool-duo',
      'Pod/multitool-hostnet',
    ]);
  });

  it('skips empty and comment-only documents (a trailing ---)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podnet-manifests-'));
    writeFileSync(
      path.join(dir, 'a.yaml'),
      '# leading comment\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: one\nspec:\n  containers: [{name: c, image: busybox}]\n---\n# only a comment\n---\n',
    );
    writeFileSync(path.join(dir, 'b.yml'), '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
    try {
      const manifests = await loadManifests(dir);
      assert.deepEqual(
        manifests.map((m) => m.metadata.name),
        ['one', 'two'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rewrites the namespace and labels the object and its pod template as the suite's", async () => {
    const [ds] = (await loadManifests(DEFAULT_WORKLOADS_DIR)).filter((m) => m.metadata.name === 'multitool-1');
    const prepared = prepareManifest(ds!, 'podnet-e2e');
    assert.equal(prepared.metadata.namespace, 'podnet-e2e');
    assert.equal(prepared.metadata.labels?.['app.kubernetes.io/managed-by'], 'podnet-e2e');
    const template = (prepared.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    assert.equal(template.metadata.labels['app.kubernetes.io/managed-by'], 'podnet-e2e');
    assert.equal(template.metadata.labels.app, 'multitool-1', 'selector labels kept');
    assert.equal(ds!.metadata.namespace, 'default', 'the loaded manifest is not mutated');
  });
});

describe('applying the suite workloads', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ readyAfterMs: 150 });
  });
  after(() => h.close());

  it('creates the namespace, applies server-side with content type, field manager and the rewritten namespace, waits, and deletes', async () => {
    const logs: string[] = [];
    const w = new SuiteWorkloads({
      clients: makeClients(h.kc),
      namespace: 'podnet-e2e',
      pollIntervalMs: 30,
      readyTimeoutMs: 5000,
      log: (l) => logs.push(l),
    });
    await w.apply();

    const nsCreate = h.fake.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces');
    assert.equal(JSON.parse(nsCreate!.body).metadata.name, 'podnet-e2e');

    const applies = h.fake.requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(applies.map((r) => r.path).sort(), [
      '/api/v1/namespaces/podnet-e2e/pods/multitool',
      '/api/v1/namespaces/podnet-e2e/pods/multitool-duo',
      '/api/v1/namespaces/podnet-e2e/pods/multitool-hostnet',
      '/apis/apps/v1/namespaces/podnet-e2e/daemonsets/multitool-1',
      '/apis/apps/v1/namespaces/podnet-e2e/daemonsets/multitool-2',
    ]);
    for (const r of applies) {
      assert.equal(r.contentType, 'application/apply-patch+yaml');
      assert.equal(r.query.fieldManager, 'podnet-e2e');
      const body = parseYaml(r.body) as { metadata: { namespace: string; labels: Record<string, string> } };
      assert.equal(body.metadata.namespace, 'podnet-e2e');
      assert.equal(body.metadata.labels['app.kubernetes.io/managed-by'], 'podnet-e2e');
    }

    await w.waitReady();
    const cluster = h.cluster({ workloadNamespace: 'podnet-e2e' });
    const pods = await cluster.pods({ namespace: 'podnet-e2e' });
    assert.equal(pods.filter((p) => p.workload === 'multitool-1').length, 3, 'one per node, control-plane included');
    assert.equal(pods.filter((p) => p.workload === 'multitool-2').length, 3);
    assert.ok(pods.every((p) => p.phase === 'Running' && p.containers.every((c) => c.ready)));
    assert.equal(new Set(pods.filter((p) => p.workload === 'multitool-1').map((p) => p.node)).size, 3);
    // The controller stand-in allocated their IPs from each node's block: the blocks say so.
    const blocks = await cluster.ipamBlocks();
    for (const p of pods.filter((pod) => !pod.hostNetwork))
      assert.equal(blocks.find((b) => b.allocations.some((a) => a.ip === p.ip && a.holder === `podnet-e2e/${p.name}`))?.node, p.node);

    await w.teardown();
    assert.ok(h.fake.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/namespaces/podnet-e2e'));
    assert.equal(h.fake.get('v1', 'namespaces', undefined, 'podnet-e2e'), undefined);
    assert.equal((await cluster.pods({ namespace: 'podnet-e2e' })).length, 0);
    assert.ok(logs.some((l) => /applied DaemonSet podnet-e2e\/multitool-1/.test(l)));
  });

  it('keeps everything with keep', async () => {
    const w = new SuiteWorkloads({ clients: makeClients(h.kc), namespace: 'kept', pollIntervalMs: 30, keep: true });
    await w.apply();
    await w.teardown();
    assert.ok(h.fake.get('apps/v1', 'daemonsets', 'kept', 'multitool-1'));
    assert.ok(h.fake.get('v1', 'namespaces', undefined, 'kept'));
  });

  it('in an existing namespace, uses objects it did not create as they are and deletes only its own', async () => {
    // The learner's lab: the multitool DaemonSets already in `default`, not labelled as the suite's.
    const clients = makeClients(h.kc);
    h.fake.put({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'multitool-1', namespace: 'default', generation: 1, labels: { app: 'multitool-1' } },
      spec: {
        selector: { matchLabels: { app: 'multitool-1' } },
        template: {
          metadata: { labels: { app: 'multitool-1' } },
          spec: { containers: [{ name: 'multitool', image: 'praqma/network-multitool:latest' }] },
        },
      },
    });
    const logs: string[] = [];
    const w = new SuiteWorkloads({ clients, namespace: 'default', pollIntervalMs: 30, readyTimeoutMs: 5000, log: (l) => logs.push(l) });
    const patchesBefore = h.fake.requests.filter((r) => r.method === 'PATCH').length;
    await w.apply();
    const patched = h.fake.requests
      .filter((r) => r.method === 'PATCH')
      .slice(patchesBefore)
      .map((r) => r.path);
    assert.ok(!patched.includes('/apis/apps/v1/namespaces/default/daemonsets/multitool-1'), "the learner's DaemonSet is not applied over");
    assert.ok(patched.includes('/apis/apps/v1/namespaces/default/daemonsets/multitool-2'));
    assert.ok(logs.some((l) => /using DaemonSet default\/multitool-1 as found/.test(l)));
    assert.ok(
      !h.fake.requests.some(
        (r) => r.method === 'POST' && r.path === '/api/v1/namespaces' && JSON.parse(r.body).metadata.name === 'default',
      ),
    );
    await w.teardown();
    assert.ok(h.fake.get('apps/v1', 'daemonsets', 'default', 'multitool-1'), 'left in place');
    assert.equal(h.fake.get('apps/v1', 'daemonsets', 'default', 'multitool-2'), undefined, "the suite's own is deleted");
    assert.ok(h.fake.get('v1', 'namespaces', undefined, 'default'), 'never the namespace');
  });

  it('gives up after the bounded wait and says what it last saw', async () => {
    const broken = await harness({ brokenImages: ['praqma/network-multitool:latest'] });
    try {
      const w = new SuiteWorkloads({ clients: makeClients(broken.kc), namespace: 'podnet-e2e', pollIntervalMs: 30, readyTimeoutMs: 400 });
      await w.apply();
      await assert.rejects(w.waitReady(), (err: Error) => {
        assert.ok(err instanceof EnvironmentError);
        assert.match(err.message, /timed out after 0 s waiting for DaemonSet podnet-e2e\/multitool-1/);
        assert.match(err.message, /0\/3 eligible nodes have a Ready pod/);
        assert.match(err.message, /ImagePullBackOff/);
        assert.match(err.message, /kubectl -n podnet-e2e/);
        return true;
      });
      await w.teardown();
    } finally {
      await broken.close();
    }
  });
});

describe('createPod and deletePod', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ readyAfterMs: 100, deleteAfterMs: 100 });
    h.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
  });
  after(() => h.close());

  it('creates a labelled pod on a worker, waits until it is Running and ready, and deletes it until gone', async () => {
    const c = h.cluster();
    const pod = await c.createPod({ namespace: 'podnet-e2e', name: 'scenario-a', labels: { role: 'source' } });
    assert.equal(pod.phase, 'Running');
    assert.ok(pod.containers.every((x) => x.ready));
    assert.match(pod.node, /worker/);
    assert.ok(pod.ip?.startsWith('192.168.'));
    const sent = JSON.parse(h.fake.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/podnet-e2e/pods')!.body);
    assert.equal(sent.metadata.labels['app.kubernetes.io/managed-by'], 'podnet-e2e');
    assert.equal(sent.metadata.labels.role, 'source');
    assert.equal(
      sent.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator,
      'DoesNotExist',
    );

    await c.deletePod('podnet-e2e', 'scenario-a');
    assert.equal(h.fake.get('v1', 'pods', 'podnet-e2e', 'scenario-a'), undefined);
    const blocks = await c.ipamBlocks();
    assert.ok(!blocks.some((b) => b.allocations.some((a) => a.holder === 'podnet-e2e/scenario-a')), 'its address was released');
  });

  it('pins a pod to a node and to the host network when asked', async () => {
    const c = h.cluster();
    const pod = await c.createPod({ namespace: 'podnet-e2e', name: 'hostnet', node: 'pod-routing-control-plane', hostNetwork: true });
    assert.equal(pod.node, 'pod-routing-control-plane');
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.ip, '172.18.0.4');
    await c.deletePod('podnet-e2e', 'hostnet');
  });

  it('reports what it last saw when a pod never becomes ready', async () => {
    const broken = await harness({ brokenImages: ['registry.invalid/nothing:1'] });
    try {
      broken.fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'podnet-e2e' }, status: { phase: 'Active' } });
      const bc = broken.cluster({ podImage: 'registry.invalid/nothing:1', podReadyTimeoutMs: 300 });
      await assert.rejects(bc.createPod({ namespace: 'podnet-e2e', name: 'never' }), (err: Error) => {
        assert.ok(err instanceof EnvironmentError);
        assert.match(err.message, /pod podnet-e2e\/never to be Running and ready/);
        assert.match(err.message, /last seen: podnet-e2e\/never, Pending, on pod-routing-worker, multitool waiting: ImagePullBackOff/);
        return true;
      });
    } finally {
      await broken.close();
    }
  });

  it('deleting a pod that does not exist is not an error', async () => {
    await h.cluster().deletePod('podnet-e2e', 'never-was');
  });
});
