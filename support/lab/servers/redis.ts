/**
 * Redis (Debian's redis-server) in the pods of lesson 11's StatefulSet, started as the course's
 * manifest starts redis:7-alpine: ordinal 0 as the master, every other ordinal only after its
 * init step saw `redis-cli -h <set>-0.<service>.<ns>.svc.cluster.local ping` answer, then with
 * `--replicaof` that name; every pod announces `<pod>.<service>.<ns>.svc.cluster.local`. The
 * names are resolved by redis itself through the pod's resolv.conf, that is through the
 * cluster DNS behind the kube-dns ClusterIP: replication is real, and breaks when DNS does.
 *
 * Files (log, working directory) live in the pod's server directory under the lab's; each
 * server runs in the pod's network namespace and in a UTS namespace of its own named after
 * the pod (the container's hostname), and is ended by PID with the lab's other processes.
 */
import { mkdirSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../exec/run.ts';
import { startContainer } from '../kubelet/kubelet.ts';
import type { LabPod, LabState } from '../model.ts';
import { serverDir } from './servers.ts';

export const REDIS_PORT = 6379;

export function runsRedis(pod: Pick<LabPod, 'containers' | 'ownerKind' | 'hostNetwork'>): boolean {
  return !pod.hostNetwork && pod.ownerKind === 'StatefulSet' && pod.containers.includes('redis');
}

/** `<pod>.<subdomain>.<namespace>.svc.cluster.local`: the name the manifest builds from POD_NAME. */
export function podDnsName(pod: Pick<LabPod, 'name' | 'subdomain' | 'namespace'>, name = pod.name): string {
  return `${name}.${pod.subdomain}.${pod.namespace}.svc.cluster.local`;
}

export function ordinalOf(pod: Pick<LabPod, 'name'>): number {
  return Number(/-(\d+)$/.exec(pod.name)?.[1] ?? Number.NaN);
}

/** The master's name as the replicas use it: ordinal 0 of the same set. */
export function masterName(pod: Pick<LabPod, 'name' | 'subdomain' | 'namespace' | 'workload'>): string {
  return podDnsName(pod, `${pod.workload}-0`);
}

export function redisFiles(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>) {
  const dir = serverDir(labName, pod);
  return { dir, log: join(dir, 'redis.log'), containerLog: join(dir, 'container.log') };
}

/** The manifest's redis-server arguments, plus where the lab keeps its files. */
export function redisServerArgv(pod: LabPod, files: { dir: string; log: string }): string[] {
  const replica = ordinalOf(pod) === 0 ? [] : ['--replicaof', masterName(pod), String(REDIS_PORT)];
  return [
    'redis-server',
    '--bind',
    '0.0.0.0',
    '--protected-mode',
    'no',
    ...replica,
    '--replica-announce-ip',
    podDnsName(pod),
    '--port',
    String(REDIS_PORT),
    '--daemonize',
    'no',
    '--dir',
    files.dir,
    '--logfile',
    files.log,
    '--save',
    '',
    '--appendonly',
    'no',
    // The image's default waits 5 s for more replicas before a diskless full sync; the lab starts
    // its replicas together, so the wait only delays the moment replication is up.
    '--repl-diskless-sync-delay',
    '0',
  ];
}

/** The container's hostname is the pod's name: a UTS namespace of its own, then the server. */
function inPodUts(pod: LabPod, argv: string[]): string[] {
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  return ['unshare', '--uts', 'sh', '-c', `hostname ${pod.name} && exec ${quoted}`];
}

// Over as soon as redis-0 answers; long enough for a loaded two-core machine.
const INIT_WAIT_MS = 60_000;

/** The init container: until the master answers PING by its DNS name (bounded), as the manifest's loop does. */
async function waitForMaster(pod: LabPod, containerLog: string): Promise<boolean> {
  const master = masterName(pod);
  appendFileSync(containerLog, `This is replica ${pod.name}, waiting for master ${pod.workload}-0...\n`);
  const deadline = Date.now() + INIT_WAIT_MS;
  while (Date.now() < deadline) {
    const ping = await run(['ip', 'netns', 'exec', pod.netns, 'redis-cli', '-h', master, 'ping'], { where: pod.netns, timeoutMs: 3_000 });
    if (ping.stdout.trim() === 'PONG') {
      appendFileSync(containerLog, `Master ${pod.workload}-0 is ready!\n`);
      return true;
    }
    appendFileSync(containerLog, `Waiting for ${pod.workload}-0.${pod.subdomain} to be ready...\n`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function startOne(state: LabState, pod: LabPod): Promise<number> {
  const files = redisFiles(state.name, pod);
  mkdirSync(files.dir, { recursive: true });
  if (ordinalOf(pod) !== 0 && !(await waitForMaster(pod, files.containerLog))) {
    throw new Error(`the init step of ${pod.namespace}/${pod.name} never saw ${masterName(pod)} answer PING in ${INIT_WAIT_MS / 1000} s`);
  }
  appendFileSync(
    files.containerLog,
    ordinalOf(pod) === 0
      ? `Starting as MASTER (${pod.name})\n`
      : `Starting as REPLICA (${pod.name}), replicating from ${pod.workload}-0.${pod.subdomain}\n`,
  );
  return startContainer({
    labName: state.name,
    pod,
    container: 'redis',
    argv: inPodUts(pod, redisServerArgv(pod, files)),
    logFile: files.containerLog,
    started: () => said(files.log, /Ready to accept connections/),
    what: `redis in pod ${pod.namespace}/${pod.name}`,
  });
}

/** Masters first, then the replicas of each set (in parallel); all of the lab's, or the pods given (a recreated one). */
export async function startRedis(state: LabState, only: LabPod[] = state.pods): Promise<void> {
  const pods = only.filter(runsRedis);
  await Promise.all(pods.filter((pod) => ordinalOf(pod) === 0).map((pod) => startOne(state, pod)));
  const replicas = pods.filter((pod) => ordinalOf(pod) !== 0);
  await Promise.all(replicas.map((pod) => startOne(state, pod)));
  // As a learner waits for the StatefulSet before looking: bounded, the lab comes up without it.
  await Promise.all(replicas.map((pod) => waitForLink(pod)));
}

const LINK_WAIT_MS = 10_000;

async function waitForLink(pod: LabPod): Promise<void> {
  const deadline = Date.now() + LINK_WAIT_MS;
  while (Date.now() < deadline) {
    const info = await run(['ip', 'netns', 'exec', pod.netns, 'redis-cli', 'info', 'replication'], { where: pod.netns, timeoutMs: 3_000 });
    if (/^master_link_status:up\r?$/m.test(info.stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function said(file: string, pattern: RegExp): boolean {
  try {
    return pattern.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}
