/**
 * NET-06's netcat forms against the nc flavours they meet: busybox nc_bloaty as Alpine builds it
 * (the multitool image's only nc) and netcat-openbsd (the lab, this machine). Debian's own
 * busybox builds a third, smaller nc that takes neither form: it is shown, not served.
 *
 * Real binaries run in a private network namespace (unshare -n, loopback only) when at hand:
 * netcat-openbsd always on a prepared machine; nc_bloaty when PODNET_NC110_BUSYBOX names a build
 * (test/kind/tools/build-alpine-nc.sh) or one sits in /var/cache/podnet-e2e/busybox-nc110.
 * Without it, the transcripts recorded from such a build (test/kind/fixtures/nc/) and the
 * grammar model written from nc_bloaty.c (nc-bloaty-grammar.ts) stand in.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NC_LISTENING, ncConnectArgv, ncListenArgv } from '../../support/probes/netcat.ts';
import { NcUsageError, parseNcBloaty } from './nc-bloaty-grammar.ts';

const PORT = 18081;
const OLD_LISTEN = ['nc', '-v', '-l', '-k', '127.0.0.1', String(PORT)];
const fixture = (name: string) => readFileSync(new URL(`./fixtures/nc/${name}`, import.meta.url), 'utf8');

function which(program: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const isRoot = process.getuid?.() === 0 && which('unshare') !== undefined && which('nsenter') !== undefined;
const bloatyPath = [process.env.PODNET_NC110_BUSYBOX, '/var/cache/podnet-e2e/busybox-nc110/busybox'].find((p) => p && existsSync(p));
const openbsdNc = (() => {
  const nc = which('nc');
  if (!nc) return undefined;
  let said = '';
  try {
    said = execFileSync('sh', ['-c', `"${nc}" -h 2>&1; true`], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  return /OpenBSD netcat/.test(said) ? nc : undefined;
})();

/** `nc` in an argv replaced by the binary under test (busybox: `busybox nc`). */
function withBinary(argv: string[], binary: string[]): string[] {
  return [...binary, ...argv.slice(1)];
}

interface Exchange {
  listenerSaid: string;
  clientExit: number;
  clientSaid: string;
}

/** Listener in a fresh network namespace; once it says it listens (or exits), the client joins that namespace. */
async function exchange(listen: string[], connect: string[]): Promise<Exchange> {
  const listener: ChildProcess = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'nc-under-test', ...listen], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let said = '';
  const ready = await new Promise<boolean>((resolve) => {
    const lines = createInterface({ input: listener.stderr! });
    lines.on('line', (line) => {
      said += `${line}\n`;
      if (NC_LISTENING.test(line)) resolve(true);
    });
    listener.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    listener.on('exit', () => resolve(false));
  });
  try {
    if (!ready) return { listenerSaid: said, clientExit: -1, clientSaid: '' };
    try {
      const out = execFileSync('nsenter', ['-t', String(listener.pid), '-n', ...connect], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10_000,
      });
      return { listenerSaid: said, clientExit: 0, clientSaid: out };
    } catch (error) {
      const e = error as { status?: number; stderr?: string; stdout?: string };
      return { listenerSaid: said, clientExit: e.status ?? -1, clientSaid: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    if (listener.exitCode === null) {
      listener.kill('SIGTERM');
      await new Promise((resolve) => listener.once('exit', resolve));
    }
  }
}

describe('nc_bloaty as Alpine builds it (grammar written from busybox 1.36.1 nc_bloaty.c)', () => {
  it('reads the old listener form as "random port, accept only 127.0.0.1:18081": the false NET-06 failure', () => {
    const old = parseNcBloaty(OLD_LISTEN);
    assert.equal(old.mode, 'listen');
    assert.equal(old.localPort, 0);
    assert.deepEqual(old.peer, { host: '127.0.0.1', port: PORT });
  });

  it('reads the suite’s listener as 127.0.0.1:18081 with no peer filter, and its client as a zero-I/O connect', () => {
    assert.deepEqual(parseNcBloaty(ncListenArgv('127.0.0.1', PORT)), {
      mode: 'listen',
      localAddress: '127.0.0.1',
      localPort: PORT,
      peer: undefined,
      verbose: 1,
      zeroIo: false,
      waitSeconds: undefined,
    });
    assert.deepEqual(parseNcBloaty(ncConnectArgv('127.0.0.1', PORT, 2)), {
      mode: 'connect',
      localAddress: undefined,
      localPort: 0,
      peer: { host: '127.0.0.1', port: PORT },
      verbose: 1,
      zeroIo: true,
      waitSeconds: 2,
    });
  });

  it('rejects what nc_bloaty rejects', () => {
    assert.throws(() => parseNcBloaty(['nc', '-q', '1', 'h', '1']), NcUsageError);
    assert.throws(() => parseNcBloaty(['nc', '-l', 'a', 'b', 'c']), NcUsageError);
    assert.throws(() => parseNcBloaty(['nc', '-z']), NcUsageError);
  });

  it('agrees with the transcripts recorded from a real build (test/kind/fixtures/nc/)', () => {
    const boundPort = (name: string) => Number(/:(\d+)\s/.exec(fixture(name))?.[1]);
    // The old form: bound elsewhere, said "listening on" all the same, and refused the client.
    assert.notEqual(boundPort('bloaty-old-form.bound.txt'), PORT);
    assert.match(fixture('bloaty-old-form.listener.txt'), NC_LISTENING);
    assert.equal(fixture('bloaty-old-form.client-exit.txt').trim(), '1');
    // The suite's forms: bound where the model says, ready line, client accepted.
    assert.match(fixture('bloaty-listen.bound.txt'), /127\.0\.0\.1:18081 /);
    assert.match(fixture('bloaty-listen.listener.txt'), NC_LISTENING);
    assert.equal(fixture('bloaty-listen.client-exit.txt').trim(), '0');
    assert.match(fixture('openbsd-listen.listener.txt'), NC_LISTENING);
    assert.equal(fixture('openbsd-listen.client-exit.txt').trim(), '0');
    // Debian's busybox nc is another program: neither -v nor -z.
    assert.match(fixture('debian-busybox-listen.listener.txt'), /invalid option -- 'v'/);
    assert.match(fixture('debian-busybox-listen.client.txt'), /invalid option -- 'z'/);
  });
});

describe('the suite’s nc forms against real binaries', () => {
  it(
    'netcat-openbsd (the lab’s and this machine’s nc) listens, says so, and accepts the client',
    { skip: !isRoot || !openbsdNc ? 'needs root, unshare, nsenter and netcat-openbsd' : false },
    async () => {
      const seen = await exchange(ncListenArgv('127.0.0.1', PORT), ncConnectArgv('127.0.0.1', PORT, 2));
      assert.match(seen.listenerSaid, NC_LISTENING);
      assert.equal(seen.clientExit, 0, seen.clientSaid);
    },
  );

  it(
    'busybox nc_bloaty (NC_110_COMPAT, the multitool image’s nc) does the same, and refuses the client under the old form',
    {
      skip:
        !isRoot || !bloatyPath
          ? 'no nc_bloaty build at hand (test/kind/tools/build-alpine-nc.sh); the recorded transcripts stand in'
          : false,
    },
    async () => {
      const bb = [bloatyPath as string, 'nc'];
      const good = await exchange(withBinary(ncListenArgv('127.0.0.1', PORT), bb), withBinary(ncConnectArgv('127.0.0.1', PORT, 2), bb));
      assert.match(good.listenerSaid, /listening on 127\.0\.0\.1:18081/);
      assert.equal(good.clientExit, 0, good.clientSaid);
      const old = await exchange(withBinary(OLD_LISTEN, bb), withBinary(ncConnectArgv('127.0.0.1', PORT, 2), bb));
      assert.match(old.listenerSaid, NC_LISTENING);
      assert.doesNotMatch(old.listenerSaid, /:18081 /);
      assert.notEqual(old.clientExit, 0);
    },
  );
});
