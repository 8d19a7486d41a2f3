/**
 * Preflight and kubeconfig faults: each is an EnvironmentError whose message says what to do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { EnvironmentError } from '../../support/domain.ts';
import { makeClients } from '../../support/cluster/kind/api.ts';
import { kubeconfigConfigured, loadKubeConfig } from '../../support/cluster/kind/kubeconfig.ts';
import { NodeShell } from '../../support/cluster/kind/node-shell.ts';
import { preflight } from '../../support/cluster/kind/preflight.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { harness, type Harness } from './helpers.ts';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function kubeconfigFor(server: string, user: Record<string, unknown> = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'kind-podnet', cluster: 'c', user: 'u' }],
    currentContext: 'kind-podnet',
  });
  return kc;
}

function isEnvError(pattern: RegExp, remedy: RegExp) {
  return (err: Error) => {
    assert.ok(err instanceof EnvironmentError, `not an EnvironmentError: ${err}`);
    assert.match(err.message, pattern);
    assert.match(err.remedy ?? '', remedy);
    return true;
  };
}

describe('preflight', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('passes on a healthy cluster and reports the server version and pools', async () => {
    const report = await preflight({ clients: makeClients(h.kc), namespace: 'podnet-e2e' });
    assert.deepEqual(report, { serverVersion: 'v1.28.0', pools: 1 });
    const reviews = h.fake.requests
      .filter((r) => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
      .map((r) => JSON.parse(r.body).spec.resourceAttributes);
    assert.ok(reviews.some((a) => a.verb === 'get' && a.resource === 'pods' && a.subresource === 'exec' && a.namespace === 'podnet-e2e'));
    assert.ok(reviews.some((a) => a.verb === 'list' && a.resource === 'pods'));
    assert.ok(reviews.some((a) => a.verb === 'list' && a.resource === 'ipamblocks' && a.group === 'crd.projectcalico.org'));
  });

  it('an API server that does not answer: says where it tried and how to start the cluster', async () => {
    const port = await closedPort();
    const clients = makeClients(kubeconfigFor(`http://127.0.0.1:${port}`));
    await assert.rejects(
      preflight({ clients, namespace: 'podnet-e2e' }),
      isEnvError(
        new RegExp(`cannot reach the Kubernetes API server at http://127.0.0.1:${port} \\(context "kind-podnet"\\)`),
        /kind get clusters|cluster:up/,
      ),
    );
  });

  it('an API server that hangs: gives up after the request timeout', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const clients = makeClients(kubeconfigFor(`http://127.0.0.1:${port}`), 300);
      const started = Date.now();
      await assert.rejects(
        preflight({ clients, namespace: 'podnet-e2e' }),
        isEnvError(/cannot reach the Kubernetes API server/, /--context/),
      );
      assert.ok(Date.now() - started < 3000);
    } finally {
      silent.close();
    }
  });

  it('rejected credentials: says to refresh the kubeconfig', async () => {
    const fake = await FakeApiServer.withLab({ token: 'the-right-token-123' });
    try {
      const clients = makeClients(kubeconfigFor(fake.url, { token: 'a-stale-token-456' }));
      await assert.rejects(
        preflight({ clients, namespace: 'podnet-e2e' }),
        isEnvError(/rejected the credentials of context "kind-podnet"/, /kind export kubeconfig/),
      );
    } finally {
      await fake.close();
    }
  });

  it('missing RBAC: lists every permission denied (403 on the review) and what to do', async () => {
    const fake = await FakeApiServer.withLab({
      deny: [
        { verb: 'get', resource: 'pods', subresource: 'exec' },
        { verb: 'patch', resource: 'pods' },
        { verb: 'create', resource: 'namespaces' },
        { verb: 'list', resource: 'ipamblocks' },
      ],
    });
    try {
      const clients = makeClients(kubeconfigFor(fake.url));
      await assert.rejects(preflight({ clients, namespace: 'podnet-e2e' }), (err: Error) => {
        isEnvError(/lacks permissions the suite needs/, /cluster-admin/)(err);
        assert.match(err.message, /get pods\/exec in namespace podnet-e2e \(to run probes in pods \(exec over WebSocket is a GET\)\)/);
        assert.match(err.message, /patch pods in namespace podnet-e2e/);
        assert.match(err.message, /create namespaces \(to create the suite's namespace\)/);
        assert.match(err.message, /list ipamblocks\.crd\.projectcalico\.org/);
        assert.doesNotMatch(err.message, /list nodes/);
        return true;
      });
    } finally {
      await fake.close();
    }
  });

  // kubernetes#78741: a WebSocket exec is an HTTP GET, authorised as `get pods/exec`; only 1.35's
  // AuthorizePodWebsocketUpgradeCreatePermission (kubernetes PR 134577) adds a `create` check.
  it('asks get pods/exec on Kubernetes 1.28 (where create alone does not let a WebSocket exec in), and create as well from 1.35', async () => {
    const asked = (fake: FakeApiServer) =>
      fake.requests
        .filter((r) => r.path.endsWith('selfsubjectaccessreviews'))
        .map((r) => {
          const a = JSON.parse(r.body).spec.resourceAttributes;
          return `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
        });
    for (const [serverVersion, expectCreate] of [
      ['v1.28.0', false],
      ['v1.34.2', false],
      ['v1.35.0', true],
    ] as const) {
      const fake = await FakeApiServer.withLab({ serverVersion, deny: [{ verb: 'create', resource: 'pods', subresource: 'exec' }] });
      try {
        const clients = makeClients(kubeconfigFor(fake.url));
        if (expectCreate) {
          await assert.rejects(preflight({ clients, namespace: 'podnet-e2e' }), /create pods\/exec in namespace podnet-e2e/);
        } else {
          await preflight({ clients, namespace: 'podnet-e2e' });
        }
        assert.ok(asked(fake).includes('get pods/exec'), serverVersion);
        assert.equal(asked(fake).includes('create pods/exec'), expectCreate, serverVersion);
      } finally {
        await fake.close();
      }
    }
  });

  it('a cluster without Calico: says to install it', async () => {
    const fake = await FakeApiServer.withLab({ calico: false });
    try {
      const clients = makeClients(kubeconfigFor(fake.url));
      await assert.rejects(
        preflight({ clients, namespace: 'podnet-e2e' }),
        isEnvError(/Calico is not installed.*ippools/, /cluster:up|Tigera operator/),
      );
    } finally {
      await fake.close();
    }
  });

  it('a node that cannot be reached: says how to reach nodes', async () => {
    // Docker unusable (a CLI that fails) and the node-shell pod never starts.
    const fake = await FakeApiServer.withLab({ brokenImages: ['praqma/network-multitool:latest'] });
    try {
      const kc = kubeconfigFor(fake.url);
      const clients = makeClients(kc);
      const shell = new NodeShell({
        kc,
        core: clients.core,
        namespace: 'default',
        docker: 'false',
        podReadyTimeoutMs: 300,
        pollIntervalMs: 30,
      });
      await assert.rejects(preflight({ clients, namespace: 'default', nodeShell: shell }), (err: Error) => {
        assert.ok(err instanceof EnvironmentError);
        assert.match(err.message, /node-shell pod default\/podnet-e2e-node-shell-pod-routing-control-plane to be Ready/);
        assert.match(err.message, /ImagePullBackOff/);
        return true;
      });
      await shell.close();
      assert.equal(
        fake.get('v1', 'pods', 'default', 'podnet-e2e-node-shell-pod-routing-control-plane'),
        undefined,
        'the shell pod it created is deleted',
      );
    } finally {
      await fake.close();
    }
  });
});

describe('kubeconfig loading', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'podnet-kc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'kind-podnet', cluster: { server: 'https://127.0.0.1:6443' } },
        { name: 'other', cluster: { server: 'https://10.0.0.1:6443' } },
      ],
      users: [{ name: 'kind-podnet', user: { token: 'abc-token-xyz' } }],
      contexts: [
        { name: 'kind-podnet', context: { cluster: 'kind-podnet', user: 'kind-podnet' } },
        { name: 'other', context: { cluster: 'other', user: 'kind-podnet' } },
      ],
      'current-context': 'other',
    }),
  );

  it("uses --kubeconfig and the file's current context", () => {
    const loaded = loadKubeConfig({ kubeconfig: file, env: {} });
    assert.equal(loaded.context, 'other');
    assert.equal(loaded.server, 'https://10.0.0.1:6443');
  });

  it('selects kind-<name> for a Kind cluster name, and --context over both', () => {
    assert.equal(loadKubeConfig({ kubeconfig: file, kindCluster: 'podnet', env: {} }).server, 'https://127.0.0.1:6443');
    assert.equal(loadKubeConfig({ kubeconfig: file, kindCluster: 'podnet', context: 'other', env: {} }).context, 'other');
  });

  it('reads KUBECONFIG (a list; missing entries skipped)', () => {
    const loaded = loadKubeConfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), file].join(path.delimiter) }, context: 'kind-podnet' });
    assert.equal(loaded.context, 'kind-podnet');
    assert.deepEqual(loaded.files, [file]);
  });

  it('a missing file: says how to create or export it', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: path.join(dir, 'nope'), kindCluster: 'podnet', env: {} }),
      isEnvError(/does not exist/, /kind export kubeconfig --name podnet/),
    );
  });

  it('a missing context: names the contexts there are and how to get the right one', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, kindCluster: 'lab', env: {} }),
      isEnvError(/context "kind-lab" is not in kubeconfig .* \(available: kind-podnet, other\)/, /kind get clusters/),
    );
  });

  it('nothing configured: no kubeconfig, so the netns target would be chosen', () => {
    assert.equal(kubeconfigConfigured({ env: { HOME: dir } }), false);
    assert.equal(
      kubeconfigConfigured({ env: { KUBECONFIG: path.join(dir, 'nope') } }),
      true,
      'configured but broken still means kind (and an error)',
    );
    assert.throws(() => loadKubeConfig({ env: { HOME: dir } }), isEnvError(/no kubeconfig/, /cluster:up/));
  });
});
