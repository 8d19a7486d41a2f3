/**
 * One background-process contract on both targets: the lab's (local processes) and the kind
 * target's (a command over a transport, here `docker exec` played by a script that runs the
 * command locally). A process cut off by its lifetime reports exit code 124 and timedOut; one
 * ended by stop() through SIGINT reports 130, as a shell does; one that handles SIGINT its own.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  DEFAULT_READY_TIMEOUT_MS,
  EnvironmentError,
  TIMED_OUT_EXIT_CODE,
  type BackgroundOptions,
  type BackgroundProcess,
} from '../../support/domain.ts';
import { DEFAULT_READY_TIMEOUT_MS as KIND_READY_TIMEOUT_MS, startBackgroundCommand } from '../../support/cluster/kind/command.ts';
import { dockerLauncher } from '../../support/cluster/kind/node-shell.ts';
import { startBackground } from '../../support/exec/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'podnet-bg-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fakeDocker = join(dir, 'docker');
writeFileSync(fakeDocker, '#!/bin/sh\n# docker exec <container> argv… → argv…\nshift 2\nexec "$@"\n');
chmodSync(fakeDocker, 0o755);

type Start = (argv: string[], options: BackgroundOptions) => Promise<BackgroundProcess>;
const targets: [string, Start][] = [
  ['the embedded lab', (argv, options) => startBackground(argv, 'the host', options)],
  [
    'the kind target',
    (argv, options) =>
      startBackgroundCommand({ where: 'node fake (docker exec)', launch: dockerLauncher(fakeDocker, 'fake'), pidDir: dir }, argv, options),
  ],
];
const READY = /^ready$/;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('both targets wait the same time for readiness by default', () => {
  assert.equal(KIND_READY_TIMEOUT_MS, DEFAULT_READY_TIMEOUT_MS);
});

for (const [name, start] of targets) {
  test(`${name}: a background command cut off by its lifetime reports exit ${TIMED_OUT_EXIT_CODE} and timedOut`, async () => {
    const process = await start(['sh', '-c', 'echo ready; exec sleep 30'], { readyPattern: READY, timeoutMs: 300 });
    await wait(1_500);
    const result = await process.stop();
    assert.equal(result.exitCode, TIMED_OUT_EXIT_CODE);
    assert.equal(result.timedOut, true);
  });

  test(`${name}: stop() ends a command with SIGINT, reported as 130`, async () => {
    const process = await start(['sh', '-c', 'echo ready; exec sleep 30'], { readyPattern: READY, timeoutMs: 30_000 });
    const result = await process.stop();
    assert.equal(result.exitCode, 130);
    assert.equal(result.timedOut, false);
    assert.match(result.stdout, /ready/);
  });

  test(`${name}: a command that handles SIGINT reports its own exit code`, async () => {
    const process = await start(['sh', '-c', 'trap "echo bye; exit 0" INT; echo ready; while :; do sleep 0.05; done'], {
      readyPattern: READY,
      timeoutMs: 30_000,
    });
    const result = await process.stop();
    assert.equal(result.exitCode, 0);
    assert.match(result.stdout, /bye/);
  });

  test(`${name}: a command that never becomes ready is an environment error`, async () => {
    await assert.rejects(start(['sleep', '30'], { readyPattern: READY, readyTimeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof EnvironmentError, String(error));
      assert.match(error.message, /did not become ready/);
      return true;
    });
  });
}
