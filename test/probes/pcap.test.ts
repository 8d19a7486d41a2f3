import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePcapBase64 } from '../../support/probes/parse/pcap.ts';
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
