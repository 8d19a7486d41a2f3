/**
 * The short way into a lab namespace (support/exec/netns-shortcut.ts, spawner.py): which
 * commands take it, and, as root, that a command taken that way sees exactly what it sees
 * through `ip netns exec` — the namespace's links, addresses and sysctls, its exit code and its
 * words when the namespace is gone — while the helper's other commands stay on the machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { netnsShortcut } from '../../support/exec/netns-shortcut.ts';
import { run } from '../../support/exec/run.ts';
import { spawnViaHelper } from '../../support/exec/spawner.ts';

test('ip netns exec and a node’s nsenter take the short way for a program that reads only its network namespace', () => {
  assert.deepEqual(netnsShortcut(['ip', 'netns', 'exec', 'pnl-x.node-a', 'iptables-save', '-t', 'nat']), {
    netns: 'pnl-x.node-a',
    inNetns: ['iptables-save', '-t', 'nat'],
  });
  assert.deepEqual(netnsShortcut(['nsenter', '--net=/run/netns/pnl-x.node-a', '--mount=/proc/42/ns/mnt', '--', 'ip', '-j', 'route']), {
    netns: 'pnl-x.node-a',
    inNetns: ['ip', '-j', 'route'],
  });
});

test('everything else runs as given', () => {
  for (const argv of [
    ['ip', 'netns', 'exec', 'pnl-x.pod-a', 'cat', '/etc/resolv.conf'], // a file ip netns exec lays over /etc
    ['ip', 'netns', 'exec', 'pnl-x.pod-a', 'dig', 'kubernetes'], // reads resolv.conf
    ['ip', 'netns', 'exec', 'pnl-x.pod-a', 'ping', '-c1', 'nginx'], // may resolve a name
    ['ip', 'netns', 'exec', 'pnl-x.pod-a', 'sh', '-c', 'ip addr'],
    ['ip', 'netns', 'exec', 'pnl-x.pod-a'],
    ['ip', 'netns', 'exec', '../../etc', 'ip', 'addr'], // not a namespace's name
    ['ip', 'netns', 'list'],
    ['ip', '-j', 'addr'],
    ['nsenter', '-t', '1', '-n', '-m', '--', 'ip', 'addr'], // another process's namespaces
    ['nsenter', '--net=/run/netns/a', '--uts=/proc/1/ns/uts', '--', 'ip', 'addr'],
    ['nsenter', '--net=/run/netns/a', 'ip', 'addr'], // no -- : not the form the lab writes
    ['nsenter', '--mount=/proc/1/ns/mnt', '--', 'ip', 'addr'], // no network namespace
  ])
    assert.equal(netnsShortcut(argv), undefined, argv.join(' '));
});

const isRoot = process.getuid?.() === 0;
const NS = `pntest-shortcut-${process.pid}`;

describe('a command run the short way', { skip: !isRoot && 'needs root (a network namespace)' }, () => {
  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', NS, 'addr', 'add', '192.0.2.7/32', 'dev', 'lo']);
    execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  });
  after(() => execFileSync('ip', ['netns', 'delete', NS]));

  const both = async (inNs: string[]) => {
    const long = ['ip', 'netns', 'exec', NS, ...inNs];
    assert.ok(netnsShortcut(long), 'takes the short way');
    const short = await run(long, { where: NS });
    // The long way, as the helper runs a command without the shortcut.
    const given = await spawnViaHelper({ argv: long, timeoutMs: 10_000 });
    return { short, given };
  };

  test('sees what ip netns exec shows: the namespace’s addresses and its sysctls', async () => {
    const addr = await both(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo']);
    assert.match(addr.short.stdout, /inet 192\.0\.2\.7\/32/);
    assert.equal(addr.short.stdout, addr.given.stdout);
    const forwarding = await both(['sysctl', '-n', 'net.ipv4.ip_forward']);
    assert.equal(forwarding.short.stdout, '1\n');
    assert.equal(forwarding.short.stdout, forwarding.given.stdout);
    const rules = await both(['iptables-save', '-t', 'filter']);
    assert.match(rules.short.stdout, /^:INPUT ACCEPT/m);
    assert.deepEqual(
      rules.short.argv,
      ['ip', 'netns', 'exec', NS, 'iptables-save', '-t', 'filter'],
      'the evidence names the command as given',
    );
  });

  test('the helper’s other commands stay in the machine’s namespace, also those started beside it', async () => {
    const [inside, outside] = await Promise.all([
      run(['ip', 'netns', 'exec', NS, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'lo'], { where: NS }),
      run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo'], { where: 'this machine' }),
    ]);
    assert.match(inside.stdout, /192\.0\.2\.7/);
    assert.doesNotMatch(outside.stdout, /192\.0\.2\.7/);
    assert.equal(outside.stdout, execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }));
  });

  test('a namespace that is gone: the exit code and the words of ip netns exec', async () => {
    const gone = ['ip', 'netns', 'exec', `${NS}-gone`, 'ip', 'addr'];
    const short = await run(gone, { where: NS });
    assert.notEqual(short.exitCode, 0);
    assert.match(short.stderr, /Cannot open network namespace "pntest-shortcut-\d+-gone"/);
  });
});
