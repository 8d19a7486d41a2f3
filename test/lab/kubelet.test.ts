/**
 * The lab's kubelet on real processes (no namespace needed: the shim is a shell around a
 * command): a container whose process is killed is restarted and counted, and is not Ready while
 * it is down; one that exits at every start stays in CrashLoopBackOff; what the killed process
 * left behind goes with it; a TERM (the lab's teardown) ends the container and restarts nothing.
 */
// own process: it points PODNET_STATE_DIR, which every lab module reads, at a folder of its own (scripts/tests-together.ts)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const stateDir = mkdtempSync(join(tmpdir(), 'podnet-kubelet-'));
process.env.PODNET_STATE_DIR = stateDir;
const { PLEG_RELIST_MS, containerStatus, containerStatusDir, untilCrashLooping, withKubeletReadiness } =
  await import('../../support/lab/kubelet/kubelet.ts');
const { shimArgv } = await import('../../support/lab/kubelet/shim.ts');

const LAB = 'kubelet-test';
const started: number[] = [];

/** Runs `argv` under the shim as container `name` of pod default/<name>, as startContainer does without a namespace. */
function runUnderShim(name: string, argv: string[]): { pod: { namespace: string; name: string }; shim: number } {
  const pod = { namespace: 'default', name };
  const dir = containerStatusDir(LAB, pod, 'c');
  mkdirSync(dir, { recursive: true });
  const [command, ...args] = shimArgv(dir, argv) as [string, ...string[]];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid as number);
  return { pod, shim: child.pid as number };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = probe();
    if (seen !== undefined) return seen;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Running, not a zombie waiting for whoever inherited it to reap it. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The PIDs of a process group, from /proc (field 5 of /proc/<pid>/stat). */
function inGroup(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          Number(
            readFileSync(`/proc/${pid}/stat`, 'utf8')
              .replace(/^.*\) /s, '')
              .split(' ')[2],
          ) === pgid
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const statusOf = (pod: { namespace: string; name: string }) => containerStatus(LAB, pod, 'c');
const pidOf = (pod: { namespace: string; name: string }) =>
  Number(readFileSync(join(containerStatusDir(LAB, pod, 'c'), 'container.pid'), 'utf8'));

describe("the lab's kubelet", () => {
  before(() => mkdirSync(stateDir, { recursive: true }));
  after(() => {
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('restarts a killed container, counts it, and reports it not Ready while it is down', async () => {
    // A process that leaves a child behind, as nginx's master leaves its workers.
    const { pod } = runUnderShim('killed', ['sh', '-c', 'sleep 300 & exec sleep 300']);
    const first = await until('the container runs', () => (statusOf(pod)?.running ? pidOf(pod) : undefined));
    assert.deepEqual(statusOf(pod), { sandbox: true, running: true, restartCount: 0, ready: true });
    const group = await until('the container left a child', () => (inGroup(first).length === 2 ? inGroup(first) : undefined));
    process.kill(first, 'SIGKILL');
    const down = await until('the kubelet sees it down', () => {
      const status = statusOf(pod);
      return status && !status.running && status.lastExitCode !== undefined ? status : undefined;
    });
    assert.equal(down.ready, false);
    assert.equal(down.waiting, 'CrashLoopBackOff');
    const back = await until('it runs again', () => {
      const status = statusOf(pod);
      return status?.running && status.restartCount === 1 ? status : undefined;
    });
    const { ready: _, ...seen } = back;
    assert.deepEqual(seen, { sandbox: true, running: true, restartCount: 1, lastExitCode: 137 });
    // Ready again once it has run for the kubelet's relist period, not the moment it starts: the
    // first look that says Ready comes a period after the new process's start (its PID file's
    // time), however late this test got to look (a loaded machine delays the looks, not that).
    const startedAt = statSync(join(containerStatusDir(LAB, pod, 'c'), 'container.pid')).mtimeMs;
    const readyAgain = await until('it is Ready again', () => (statusOf(pod)?.ready ? Date.now() : undefined));
    assert.ok(readyAgain - startedAt >= PLEG_RELIST_MS, `Ready ${Math.round(readyAgain - startedAt)} ms after it ran again`);
    assert.notEqual(pidOf(pod), first);
    assert.deepEqual(group.filter(running), [], 'what the killed process left went with it');
  });

  it('keeps a container that exits at every start in CrashLoopBackOff, not Ready', async () => {
    const { pod } = runUnderShim('crashing', ['sh', '-c', 'echo "unknown directive" >&2; exit 1']);
    const status = await until('the first restart failed', () => {
      const seen = statusOf(pod);
      return seen && seen.restartCount >= 1 && !seen.running ? seen : undefined;
    });
    assert.deepEqual(status, {
      sandbox: true,
      running: false,
      restartCount: 1,
      lastExitCode: 1,
      waiting: 'CrashLoopBackOff',
      ready: false,
    });
    // The kubelet's back-off: the second restart waits 10 s, so the count stays.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(statusOf(pod)?.restartCount, 1);
    // What the EndpointSlice controller reads: this pod not Ready, a pod the lab runs no process for as the model says.
    const model = {
      name: LAB,
      pods: [
        { ...pod, containers: ['c'] },
        { namespace: 'default', name: 'multitool', containers: ['multitool'] },
      ],
    };
    const seen = withKubeletReadiness(model as unknown as Parameters<typeof withKubeletReadiness>[0]);
    assert.deepEqual(
      seen.pods.map((each) => [each.name, each.ready]),
      [
        ['crashing', false],
        ['multitool', undefined],
      ],
    );
  });

  it('counts a crash loop only once the restarted run has exited, and never reports that short run Ready', async () => {
    // Runs 300 ms, then fails: long enough to be seen running, far shorter than the kubelet's relist period.
    const { pod } = runUnderShim('short-lived', ['sh', '-c', 'sleep 0.3; exit 1']);
    const readiness: boolean[] = [];
    const watching = setInterval(() => {
      const status = statusOf(pod);
      if (status && status.lastExitCode !== undefined) readiness.push(status.ready);
    }, 10);
    try {
      await untilCrashLooping(LAB, [{ pod, container: 'c', before: 0 }]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const status = statusOf(pod);
      assert.equal(status?.running, false, 'the restarted run had exited when the wait returned');
      assert.equal(status?.restartCount, 1);
    } finally {
      clearInterval(watching);
    }
    assert.ok(readiness.length > 10, `looked ${readiness.length} times`);
    assert.deepEqual([...new Set(readiness)], [false]);
  });

  it('ends the container and restarts nothing when the shim is told to stop (teardown)', async () => {
    const { pod, shim } = runUnderShim('teardown', ['sh', '-c', 'sleep 300 & exec sleep 300']);
    const pid = await until('the container runs', () => (statusOf(pod)?.running ? pidOf(pod) : undefined));
    // As kernel.ts's endProcessesIn does: TERM to every process of the namespace, the container first.
    process.kill(pid, 'SIGTERM');
    process.kill(shim, 'SIGTERM');
    await until('the shim is gone', () => (alive(shim) ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(alive(pid), false);
    const status = statusOf(pod);
    assert.equal(status?.sandbox, false);
    assert.equal(status?.running, false);
    assert.equal(status?.restartCount, 0);
    assert.equal(status?.waiting, 'Error');
  });

  it('refuses a status file it does not recognise', () => {
    const pod = { namespace: 'default', name: 'garbled' };
    const dir = containerStatusDir(LAB, pod, 'c');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'shim.pid'), 'twelve\n');
    assert.throws(() => statusOf(pod), /shim\.pid: not what the kubelet's shim writes: "twelve\\n"/);
  });
});
