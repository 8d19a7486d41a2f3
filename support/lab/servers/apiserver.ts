/**
 * A stand-in for the kube-apiserver's TLS endpoint, for lesson 18: a real TLS server
 * (`openssl s_server`) on the control-plane's node IP, port 6443, answering `GET /healthz`
 * with `ok` as the API server does. Its certificate carries the SANs a kubeadm API server
 * certificate has, and more, so that the server's handshake flight (certificate and
 * signature) is about 2.5 KB: larger than a 1500-byte link, as the course's API server's is.
 * The lab has no Kubernetes API server of its own; the lesson's claims are about the path
 * its TLS answers take, which this server's answers take alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../../exec/run.ts';
import { labFilesDir } from '../cni/node-fs.ts';
import { internalIPOf, type LabNode, type LabState } from '../model.ts';
import { logSays, startLabDaemon, whenReady } from '../daemon-ready.ts';

export const APISERVER_PORT = 6443;

/** kubeadm's SANs for the API server certificate, and enough extra names to make the handshake large. */
function subjectAltNames(state: LabState, node: LabNode): string {
  const names = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    node.name,
    'localhost',
  ];
  for (let i = 1; i <= 40; i++) names.push(`api-${i}.${state.name}.lab.podnet-e2e.invalid`);
  return [...names.map((name) => `DNS:${name}`), `IP:${internalIPOf(node)}`, 'IP:10.96.0.1', 'IP:127.0.0.1'].join(',');
}

let key: Promise<string> | undefined;

/**
 * The server's RSA key, made once per process: a 2048-bit key takes a prime search of up to a
 * second of CPU, several on a busy machine, and seven topologies' labs come up at once. Each
 * lab's certificate is its own (its node's name and address); the key is only the size of the
 * handshake the lesson measures.
 */
function serverKey(): Promise<string> {
  key ??= runChecked(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], {
    where: 'the host (lab files)',
  }).then((result) => result.stdout);
  key.catch(() => (key = undefined)); // a failure is reported once, and tried again by the next lab
  return key;
}

/** Writes the key, the self-signed certificate and the /healthz answer; starts the server in the control-plane's namespace. Resolves with its PID once it accepts. */
export async function startApiServer(state: LabState): Promise<number | undefined> {
  const node = state.nodes.find((candidate) => candidate.role === 'control-plane');
  if (!node) return undefined;
  const dir = join(labFilesDir(state.name), 'apiserver');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'healthz'), 'ok');
  writeFileSync(join(dir, 'key.pem'), await serverKey(), { mode: 0o600 });
  await runChecked(
    [
      'openssl',
      'req',
      '-x509',
      '-key',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      `subjectAltName=${subjectAltNames(state, node)}`,
    ],
    { where: 'the host (lab files)' },
  );
  const logFile = join(dir, 's_server.log');
  writeFileSync(logFile, '');
  const pid = await startLabDaemon(
    [
      'ip',
      'netns',
      'exec',
      node.netns,
      'openssl',
      's_server',
      '-accept',
      `${internalIPOf(node)}:${APISERVER_PORT}`,
      '-cert',
      join(dir, 'cert.pem'),
      '-key',
      join(dir, 'key.pem'),
      '-WWW',
    ],
    logFile,
    { cwd: dir },
  );
  return whenReady(pid, { ready: () => logSays(logFile, /^ACCEPT$/m), timeoutMs: 30_000, what: 'the API server stand-in', logFile });
}
