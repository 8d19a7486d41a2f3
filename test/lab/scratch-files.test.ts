/** A capture's file in /tmp carries its lab's prefix: lab:down removes the one a killed run left, and no other lab's. */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { NetnsCluster } from '../../support/cluster/netns/netns-cluster.ts';
import { labDown } from '../../support/lab/lab.ts';

const isRoot = process.getuid?.() === 0;

test(
  'lab:down removes the capture files its lab left in /tmp, and keeps those of a lab whose name starts alike',
  { skip: !isRoot && 'needs root' },
  async () => {
    const left = `${new NetnsCluster('pnscratch').captureFilePrefix}0123456789ab.pcap`;
    const neighbour = `${new NetnsCluster('pnscratch-b').captureFilePrefix}0123456789ab.pcap`;
    assert.match(left, /^\/tmp\/pnl-pnscratch\.capture-/);
    try {
      writeFileSync(left, 'a capture a killed run left');
      writeFileSync(neighbour, "another lab's live capture");
      await labDown('pnscratch');
      assert.equal(existsSync(left), false, `${left} is left behind`);
      assert.equal(existsSync(neighbour), true, `${neighbour} was removed`);
    } finally {
      rmSync(left, { force: true });
      rmSync(neighbour, { force: true });
    }
  },
);

test(
  "takeScratchFile gives a capture file's bytes and removes it; a path outside the lab's scratch prefix is refused",
  { skip: !isRoot && 'needs root' },
  async () => {
    const cluster = new NetnsCluster('pnscratch');
    const file = `${cluster.captureFilePrefix}fedcba987654.pcap`;
    const router = { kind: 'router', name: 'router' } as const;
    try {
      writeFileSync(file, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3]));
      assert.deepEqual([...(await cluster.takeScratchFile(router, file))], [0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3]);
      assert.equal(existsSync(file), false, `${file} is left behind`);
      await assert.rejects(cluster.takeScratchFile(router, file), /ENOENT/);
      await assert.rejects(cluster.takeScratchFile(router, '/etc/passwd'), /not a scratch file of lab pnscratch/);
      await assert.rejects(cluster.takeScratchFile(router, `${cluster.captureFilePrefix}x/../../../etc/passwd`), /not a scratch file/);
    } finally {
      rmSync(file, { force: true });
    }
  },
);
