/**
 * run(): every command of the lab goes through the spawner helper (support/exec/spawner.py).
 * What a caller relies on: the exit code, stdout and stderr apart and verbatim, stdin, a
 * bounded wait that ends the command, a signal as a shell reports it, commands side by side,
 * the C locale, and a clear error when the command cannot be started; background commands too,
 * their output streamed while they run; and the lab's daemons, started detached.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvironmentError, TIMED_OUT_EXIT_CODE } from '../../support/domain.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked, startBackground } from '../../support/exec/run.ts';
import { startLabDaemon } from '../../support/lab/daemon-ready.ts';
import { isRunning } from '../../support/lab/kernel.ts';

const where = 'this machine';

test('the exit code, stdout and stderr apart, final newlines kept', async () => {
  const result = await run(['sh', '-c', 'printf "out\\n"; printf "err\\n" >&2; exit 3'], { where });
  assert.deepEqual([result.exitCode, result.stdout, result.stderr, result.timedOut], [3, 'out\n', 'err\n', false]);
  assert.equal(result.where, where);
});

test('stdin is what the caller gives, and empty otherwise', async () => {
  assert.equal((await run(['cat'], { where, input: 'line one\nline two\n' })).stdout, 'line one\nline two\n');
  assert.equal((await run(['cat'], { where })).stdout, '');
});

// A command that is not ended in time would outlast the test's own bound (sleep 30 against 10 s).
test('a command past its time is ended and reported as timed out', { timeout: 10_000 }, async () => {
  const result = await run(['sleep', '30'], { where, timeoutMs: 300 });
  assert.equal(result.exitCode, TIMED_OUT_EXIT_CODE);
  assert.equal(result.timedOut, true);
});

test('a command ended by a signal exits 128 + its number, as a shell says', async () => {
  assert.equal((await run(['sh', '-c', 'kill -KILL $$'], { where })).exitCode, 128 + 9);
});

test('commands run side by side, each with its own answer', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, (_, index) => run(['sh', '-c', `sleep 0.3; echo ${index}`], { where })));
  assert.deepEqual(
    results.map((result) => result.stdout),
    Array.from({ length: 8 }, (_, index) => `${index}\n`),
  );
});

test('in the C locale, whatever the suite was started with', async () => {
  assert.equal((await run(['sh', '-c', 'echo "$LC_ALL"'], { where })).stdout, 'C\n');
});

test('output that is not UTF-8 arrives, with the bytes it cannot read replaced', async () => {
  assert.equal((await run(['printf', 'a\\377b'], { where })).stdout, 'a\uFFFDb');
});

test('a command that cannot be started is an error naming it, not an exit code', async () => {
  await assert.rejects(run(['/no/such/program'], { where }), /cannot run \/no\/such\/program: .*No such file/);
  await assert.rejects(runChecked(['false'], { where }), /false \(on this machine\) exited 1/);
});

test('a request the helper cannot carry out is an error, never a command that hangs', async () => {
  await assert.rejects(run(['echo', 'a\0b'], { where }), /cannot run echo: .*null byte/);
  assert.equal((await run(['true'], { where })).exitCode, 0, 'the helper goes on');
});

// The grandchild sleeps 8 s; a reply that waited for it would outlast the test's bound of 6 s.
test("a timed-out command's reply does not wait for a grandchild that holds its output", { timeout: 6_000 }, async () => {
  const result = await run(['sh', '-c', 'sleep 8 & echo started; wait'], { where, timeoutMs: 300 });
  assert.equal(result.timedOut, true);
});

test('a background command: ready on a line of either stream while it runs; stop() gives everything it wrote, in order', async () => {
  const script = 'echo starting; echo ready >&2; sleep 0.2; echo after; echo late >&2; exec sleep 30';
  const command = await startBackground(['sh', '-c', script], 'the host', { readyPattern: /^ready$/ });
  assert.equal(command.readyLine, 'ready');
  await new Promise((resolve) => setTimeout(resolve, 400));
  const result = await command.stop();
  assert.equal(result.exitCode, 130);
  assert.equal(result.stdout, 'starting\nafter\n');
  assert.equal(result.stderr, 'ready\nlate\n');
});

test('a background command that cannot be started is an environment error that says so', async () => {
  await assert.rejects(startBackground(['/nonexistent/podnet-command'], 'the host', { readyPattern: /x/ }), (error: unknown) => {
    assert.ok(error instanceof EnvironmentError, String(error));
    assert.match(
      error.message,
      /did not become ready: it could not be started; it said: cannot run \/nonexistent\/podnet-command: .*No such file/,
    );
    return true;
  });
});

test('a lab daemon: started detached in its own session, its output in its log, its cwd the one asked for, reaped when it ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-detached-'));
  try {
    const log = join(dir, 'daemon.log');
    const pid = await startLabDaemon(['sh', '-c', 'pwd; echo said >&2; exec sleep 30'], log, { cwd: dir });
    await waitFor(() => readFileSync(log, 'utf8') === `${dir}\nsaid\n`);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state, ppid, pgrp, session, …
    assert.equal(Number(fields[3]), pid, 'it leads a session of its own (its session id is its PID)');
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !isRunning(pid));
    // Gone, not left a zombie of the helper: its reaper thread takes it (the wait fails after 5 s otherwise).
    await waitFor(() => !existsSync(`/proc/${pid}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lab daemon that cannot be started is an error naming it', async () => {
  await assert.rejects(startLabDaemon(['/nonexistent/daemon'], '/dev/null'), /nonexistent\/daemon/);
});

async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
