import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EnvironmentError, type ExecResult } from '../../support/domain.ts';
import { checkedComplete } from '../../support/probes/pcap.ts';
import { parsePcapBase64 } from '../../support/parse/pcap.ts';
import { assertParseError, fixture } from './helpers.ts';

test('base64 of a real capture gives a pcap file that tcpdump -r reads back', () => {
  const bytes = parsePcapBase64(fixture('netns-base64-capture-pcap.txt'));
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
  const dir = mkdtempSync(join(tmpdir(), 'podnet-pcap-'));
  try {
    writeFileSync(join(dir, 'capture.pcap'), bytes);
    const read = spawnSync('tcpdump', ['-n', '-r', join(dir, 'capture.pcap')], { encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    assert.match(read.stdout, /ICMP echo request, id \d+, seq 1, length 64/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('anything but a pcap file is refused', () => {
  assertParseError(() => parsePcapBase64('tcpdump: eth0: No such device exists\n'), /not base64/);
  assertParseError(() => parsePcapBase64(Buffer.from('hello, this is not a capture file').toString('base64')), /not a pcap file/);
});

test('a capture whose tcpdump says the kernel dropped packets it matched is refused as incomplete; a complete one passes', () => {
  const stopped = (stderr: string): ExecResult => ({
    where: 'node worker',
    argv: ['tcpdump'],
    exitCode: 0,
    stdout: '',
    stderr,
    ms: 1,
    timedOut: false,
  });
  // Recorded: tcpdump 4.99.3 / libpcap 1.10.3 on -i any at the default snap length, behind a flood ping.
  assert.throws(
    () => checkedComplete(stopped(fixture('netns-tcpdump-any-dropped.stderr.txt'))),
    (error: unknown) =>
      error instanceof EnvironmentError && /lost 37493 packet\(s\) its filter matched \(dropped by kernel\)/.test(error.message),
  );
  assert.throws(
    () => checkedComplete(stopped('tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n')),
    /did not end with tcpdump's counts/,
  );
  const complete = stopped('2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n');
  assert.equal(checkedComplete(complete), complete);
});
