/**
 * The embedded lab on the real kernel: brought up, measured with real ping, tcpdump and
 * `ip route get`, then torn down without a trace. Needs root (network namespaces).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { labDown, labNamespaces, labUp } from '../../support/lab/lab.ts';
import { NetnsCluster } from '../../support/cluster/netns/netns-cluster.ts';
import { labObjectPrefix } from '../../support/lab/naming.ts';
import { statePath } from '../../support/lab/state.ts';
import type { PodInfo } from '../../support/domain.ts';
import { parsePing } from '../../support/parse/ping.ts';
import { parseTcpdump } from '../../support/parse/tcpdump.ts';
import { parseIpRouteGet } from '../../support/parse/ip-route-get.ts';

const LAB = 'pnitest';
const isRoot = process.getuid?.() === 0;

function pod(pods: PodInfo[], workload: string, node: string): PodInfo {
  const found = pods.find((candidate) => candidate.workload === workload && candidate.node === node);
  assert.ok(found, `no ${workload} pod on ${node}`);
  return found;
}

describe('the embedded lab on the kernel', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  let cluster: NetnsCluster;
  let pods: PodInfo[];
  const worker = `${LAB}-worker`;
  const worker2 = `${LAB}-worker2`;

  before(async () => {
    await labDown(LAB); // a previous crashed run of this test must not make it fail
    await labUp({ name: LAB });
    cluster = NetnsCluster.attach(LAB);
    pods = await cluster.pods();
  });

  after(async () => {
    await cluster?.close();
    await labDown(LAB);
  });

  test('a same-node ping is answered with TTL 63 (one routed hop)', async () => {
    const from = pod(pods, 'multitool-1', worker);
    const to = pod(pods, 'multitool-2', worker);
    const result = await cluster.exec({ kind: 'pod', namespace: from.namespace, name: from.name }, [
      'ping',
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '1',
      to.ip!,
    ]);
    const ping = parsePing(result.stdout);
    assert.equal(ping.received, 3, result.stdout);
    assert.deepEqual(
      ping.replies.map((reply) => reply.ttl),
      [63, 63, 63],
    );
  });

  test('a cross-node ping is answered with TTL 62 (two routed hops)', async () => {
    const from = pod(pods, 'multitool-1', worker);
    const to = pod(pods, 'multitool-1', worker2);
    const result = await cluster.exec({ kind: 'pod', namespace: from.namespace, name: from.name }, [
      'ping',
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '1',
      to.ip!,
    ]);
    assert.deepEqual(
      parsePing(result.stdout).replies.map((reply) => reply.ttl),
      [62, 62, 62],
    );
  });

  test('a capture on the destination shows the source pod’s own IP', async () => {
    const from = pod(pods, 'multitool-1', worker);
    const to = pod(pods, 'multitool-1', worker2);
    const capture = await cluster.startBackground(
      { kind: 'pod', namespace: to.namespace, name: to.name },
      ['tcpdump', '-n', '-l', '--immediate-mode', '-i', 'eth0', 'icmp'],
      {
        readyPattern: /listening on/,
      },
    );
    await cluster.exec({ kind: 'pod', namespace: from.namespace, name: from.name }, ['ping', '-c', '2', '-i', '0.2', '-W', '1', to.ip!]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const packets = parseTcpdump((await capture.stop()).stdout);
    const requests = packets.filter((packet) => packet.icmpType === 'echo request');
    assert.equal(requests.length, 2);
    assert.ok(requests.every((packet) => packet.src === from.ip && packet.dst === to.ip));
  });

  test('ip route get on a node resolves a remote pod via the other node’s IP on eth0', async () => {
    const to = pod(pods, 'multitool-1', worker2);
    const nodes = await cluster.nodes();
    const result = await cluster.exec({ kind: 'node', name: worker }, ['ip', 'route', 'get', to.ip!]);
    const lookup = parseIpRouteGet(result.stdout);
    assert.equal(lookup.gateway, nodes.find((node) => node.name === worker2)?.internalIP);
    assert.equal(lookup.dev, 'eth0');
  });

  test('a pod created and deleted at run time gets, then gives back, its interface, route and address', async () => {
    const created = await cluster.createPod({ namespace: 'default', name: 'lifecycle-probe', node: worker });
    const routes = await cluster.exec({ kind: 'node', name: worker }, ['ip', 'route', 'show', `${created.ip}/32`]);
    assert.match(routes.stdout, /dev cali[0-9a-f]{11} scope link/);
    const reply = await cluster.exec({ kind: 'pod', namespace: 'default', name: 'lifecycle-probe' }, [
      'ping',
      '-c',
      '1',
      '-W',
      '1',
      pod(pods, 'multitool-1', worker2).ip!,
    ]);
    assert.equal(reply.exitCode, 0, reply.stdout + reply.stderr);
    await cluster.deletePod('default', 'lifecycle-probe');
    const after = await cluster.exec({ kind: 'node', name: worker }, ['ip', 'route', 'show', `${created.ip}/32`]);
    assert.equal(after.stdout.trim(), '');
    const blocks = await cluster.ipamBlocks();
    assert.ok(!blocks.some((block) => block.allocations.some((allocation) => allocation.ip === created.ip)), 'the address was released');
  });

  test('lab:down leaves nothing: namespaces, /etc/netns entries, processes, state file', async () => {
    // A process a crashed run left running inside the lab: teardown must end it (by PID).
    const stray = spawn('ip', ['netns', 'exec', cluster.state().nodes[1]!.netns, 'sleep', '60'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => stray.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const report = await labDown(LAB);
    await exited;
    assert.ok(report.processes.includes(stray.pid!), `ended ${report.processes.join(', ')}`);
    assert.ok(report.namespaces >= 11, `removed ${report.namespaces} namespaces`);
    assert.deepEqual(await labNamespaces(LAB), []);
    assert.deepEqual(
      readdirSync('/etc/netns').filter((entry) => entry.startsWith(labObjectPrefix(LAB))),
      [],
    );
    assert.equal(existsSync(statePath(LAB)), false);
  });
});
