/**
 * run(): every command of the lab goes through the spawner helper (support/exec/spawner.py).
 * What a caller relies on: the exit code, stdout and stderr apart and verbatim, stdin, a
 * bounded wait that ends the command, a signal as a shell reports it, commands side by side,
 * the C locale, and a clear error when the command cannot be started.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMED_OUT_EXIT_CODE } from '../../support/cluster/cluster.ts';
import { run, runChecked } from '../../support/exec/run.ts';

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

test('a command past its time is ended and reported as timed out', async () => {
  const began = performance.now();
  const result = await run(['sleep', '30'], { where, timeoutMs: 300 });
  assert.equal(result.exitCode, TIMED_OUT_EXIT_CODE);
  assert.equal(result.timedOut, true);
  assert.ok(performance.now() - began < 5_000);
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
