/**
 * Nothing secret reaches a report or a log: a kubeconfig with a token, a client key and a
 * client certificate is used for real requests that fail in every way the target meets, and
 * no credential appears in any error message, remedy, inspected error object or log line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadKubeConfig } from '../../support/cluster/kind/kubeconfig.ts';
import { makeClients } from '../../support/cluster/kind/api.ts';
import { KindCluster } from '../../support/cluster/kind/kind-cluster.ts';
import { preflight } from '../../support/cluster/kind/preflight.ts';
import { errorText, redact, redactingLogger, registerSecret } from '../../support/redact.ts';
import { connectKind } from '../../support/cluster/kind/connect.ts';
import { FakeApiServer } from './fake-apiserver.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InBvZG5ldCJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLXBvZG5ldC1lMmU';
const KEY_PEM =
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPodnetE2eClientKeyMaterialThatMustNeverLeakAAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n';
const CERT_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBpodnetE2eClientCertificateMaterialForTheTestOnlyAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n';
const KEY_DATA = Buffer.from(KEY_PEM).toString('base64');
const CERT_DATA = Buffer.from(CERT_PEM).toString('base64');
const SECRETS = [TOKEN, KEY_PEM.split('\n')[1]!, KEY_DATA, CERT_DATA, CERT_PEM.split('\n')[1]!];

function assertClean(text: string, where: string): void {
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `${where} leaks ${secret.slice(0, 12)}…:\n${text}`);
  }
  // Fragments are leaks too (a token cut at a line break, the middle of a key).
  assert.ok(!text.includes(TOKEN.slice(20, 50)), `${where} leaks part of the token`);
  assert.ok(!text.includes('PodnetE2eClientKeyMaterial'), `${where} leaks part of the key`);
}

function assertErrorClean(err: unknown, where: string): void {
  assert.ok(err instanceof Error, `${where}: ${err}`);
  assertClean(err.message, `${where} (message)`);
  assertClean(String(err.stack), `${where} (stack)`);
  assertClean(inspect(err, { depth: 8 }), `${where} (inspected)`);
  assertClean(errorText(err), `${where} (errorText)`);
}

describe('redaction of credentials', () => {
  let fake: FakeApiServer;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    // The server wants another token: every request with ours is rejected (401).
    fake = await FakeApiServer.withLab({ token: 'the-server-wants-this-one' });
    dir = mkdtempSync(path.join(tmpdir(), 'podnet-redact-'));
    kubeconfig = path.join(dir, 'config');
    writeFileSync(kubeconfig, fake.kubeconfig({ token: TOKEN, 'client-key-data': KEY_DATA, 'client-certificate-data': CERT_DATA }));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 401 from the API server', async () => {
    const { kc } = loadKubeConfig({ kubeconfig, env: {} });
    const err = await preflight({ clients: makeClients(kc), namespace: 'podnet-e2e' }).catch((e: unknown) => e);
    assert.match(String((err as Error).message), /rejected the credentials/);
    assertErrorClean(err, 'preflight 401');
  });

  it('an exec refused at the WebSocket upgrade (the client error carries the request options)', async () => {
    const { kc } = loadKubeConfig({ kubeconfig, env: {} });
    const cluster = new KindCluster({ kc, nodeShell: { mode: 'pod' } });
    const err = await cluster
      .exec({ kind: 'pod', namespace: 'default', name: 'multitool-1-vmn9d', container: 'multitool' }, ['true'])
      .catch((e: unknown) => e);
    assert.match(String((err as Error).message), /401/);
    assertErrorClean(err, 'exec 401');
    await cluster.close();
  });

  it('an unreachable server', async () => {
    // The same credentials, pointed at a port nothing listens on.
    const unreachable = path.join(dir, 'unreachable');
    writeFileSync(
      unreachable,
      JSON.stringify({
        ...JSON.parse(fake.kubeconfig({ token: TOKEN, 'client-key-data': KEY_DATA })),
        clusters: [{ name: 'kind-podnet', cluster: { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      }),
    );
    const err = await connectKind({ kubeconfig: unreachable, env: {}, log: () => undefined }).catch((e: unknown) => e);
    assert.match(String((err as Error).message), /cannot reach the Kubernetes API server/);
    assertErrorClean(err, 'unreachable');
  });

  it('a kubeconfig that does not parse (YAML errors quote the offending lines)', () => {
    const broken = path.join(dir, 'broken');
    // Short values: the parser's snippet truncates long lines, which would hide a leak.
    const shortToken = 'kc-t0ken-never-shown';
    const shortPassword = 'kc-passw0rd-never-shown';
    writeFileSync(
      broken,
      `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${shortToken}\n    password: ${shortPassword}\n   bad-indent: [\n`,
    );
    let err: unknown;
    try {
      loadKubeConfig({ kubeconfig: broken, env: {} });
    } catch (e) {
      err = e;
    }
    assert.match(String((err as Error).message), /cannot read kubeconfig/);
    assert.match(String((err as Error).message), /bad indentation/, "the parser's message is kept");
    for (const text of [(err as Error).message, inspect(err)]) {
      assert.ok(!text.includes(shortToken) && !text.includes(shortPassword), text);
    }
  });

  it('log lines pass through the redacting logger', () => {
    loadKubeConfig({ kubeconfig, env: {} }); // registers the kubeconfig's secrets
    const lines: string[] = [];
    const log = redactingLogger((l) => lines.push(l));
    log(`request headers: {"Authorization":"Bearer ${TOKEN}"}`);
    log(`agent options: ${JSON.stringify({ key: KEY_PEM, cert: CERT_PEM, timeout: 5 })}`);
    log(`user: { token: ${TOKEN.slice(0, 40)}…, client-key-data: ${KEY_DATA} }`);
    lines.forEach((l, i) => assertClean(l, `log line ${i}`));
    assert.match(lines[1]!, /"timeout":5/, 'what is not secret stays readable');
  });
});

describe('redact()', () => {
  it('removes the shapes credentials take', () => {
    const cases: Array<[string, RegExp]> = [
      ['Authorization: Bearer abc.def-123', /^Authorization: Bearer \[REDACTED\]$/],
      ['{"authorization":"Basic dXNlcjpwYXNz"}', /^\{"authorization":"Basic \[REDACTED\]"\}$/],
      ['token: s3cr3t-t0ken-value', /^token: \[REDACTED\]$/],
      ['password=hunter2hunter2&user=x', /^password=\[REDACTED\]&user=x$/],
      ['"client-key-data": "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t"', /^"client-key-data": \[REDACTED\]$/],
      [`key material ${KEY_PEM} end`, /^key material \[REDACTED\]( PEM)?\s+end$/],
      [`cert ${CERT_DATA}`, /^cert \[REDACTED\]( PEM)?$/],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIEunregistered\n-----END RSA PRIVATE KEY-----', /^\[REDACTED\] PEM$/],
      ['https://admin:pa55word@10.0.0.1:6443/api', /^https:\/\/\[REDACTED\]@10\.0\.0\.1:6443\/api$/],
      [`saw ${TOKEN} in a header`, /^saw \[REDACTED\] in a header$/],
    ];
    for (const [input, expected] of cases) assert.match(redact(input), expected, input);
  });

  it('removes registered values wherever they appear, and leaves ordinary text alone', () => {
    registerSecret('opaque-secret-without-shape-42');
    assert.equal(redact('x opaque-secret-without-shape-42 y'), 'x [REDACTED] y');
    const plain = 'pod default/multitool-1-vmn9d on pod-routing-worker, 192.168.93.201, key node-role.kubernetes.io/control-plane';
    assert.equal(redact(plain), plain);
  });
});
