import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KIND_NODE_IMAGE, KIND_NODE_PROGRAMS, kindNodePrograms, missingProgram, programsOf } from './image-inventory.ts';
import { KIND_RELEASES } from '../../support/provision/versions.ts';
import { refusedInPod } from '../crosstarget/lab-apiserver.ts';
import { imageOf } from '../crosstarget/workload-images.ts';

test('kindest/node has the node tools kind installs, and no tcpdump, dig or ipset (T3-02…T3-04)', () => {
  for (const release of Object.keys(KIND_RELEASES)) {
    const programs = kindNodePrograms(release);
    for (const program of ['ip', 'ss', 'iptables-save', 'conntrack', 'nsenter', 'ps', 'sysctl', 'cat', 'curl', 'jq', 'crictl'])
      assert.ok(programs.has(program), `${release}: ${program}`);
    for (const program of ['tcpdump', 'dig', 'ipset', 'nc', 'ping']) assert.ok(!programs.has(program), `${release}: no ${program}`);
  }
  assert.ok(!KIND_NODE_PROGRAMS.has('nft'), 'v0.20.0 has no nftables, so the common set has no nft');
  assert.ok(kindNodePrograms('v0.26.0').has('nft'));
  assert.throws(() => kindNodePrograms('v0.1.0'), /no kindest\/node inventory for kind v0.1.0/);
});

test('each image has what its Dockerfile installs; an unknown image is an error naming it', () => {
  assert.match(missingProgram('nginx:stable', ['tcpdump', '-i', 'eth0']) ?? '', /^nginx:stable has no tcpdump/);
  assert.match(missingProgram('redis:7-alpine', ['tcpdump']) ?? '', /^redis:7-alpine has no tcpdump/);
  assert.equal(missingProgram('redis:7-alpine', ['redis-cli', 'ping']), undefined);
  for (const program of ['tcpdump', 'dig', 'nsenter', 'base64', 'rm'])
    assert.equal(missingProgram('praqma/network-multitool:latest', [program]), undefined);
  assert.ok(programsOf('praqma/network-multitool:latest').has('tcpdump') && !programsOf('praqma/network-multitool:latest').has('ipset'));
  assert.ok(programsOf('quay.io/calico/node:v3.30.0').has('ipset') && programsOf('quay.io/calico/node:v3.30.0').has('birdcl'));
  assert.ok(programsOf('nicolaka/netshoot').has('tcpdump'));
  assert.ok(programsOf('frrouting/frr:v8.4.0').has('vtysh') && !programsOf('frrouting/frr:v8.4.0').has('tcpdump'));
  assert.throws(() => programsOf('example/unknown:1'), /no program inventory for image example\/unknown:1/);
});

test('the lab shows its pods with their manifests’ images, and a pod command is checked against its own image', () => {
  assert.equal(imageOf('nginx-deployment', 'nginx'), 'nginx:stable');
  assert.equal(imageOf('redis', 'redis'), 'redis:7-alpine');
  assert.equal(imageOf('redis-client', 'multitool'), 'praqma/network-multitool:latest');
  const pod = (image: string) => ({ spec: { containers: [{ name: 'c', image }] } });
  const call = (argv: string[]) => ({ namespace: 'default', pod: 'p', container: 'c', argv, protocol: 'v4' });
  assert.match(
    refusedInPod(pod('nginx:stable'), call(['tcpdump', '-n'])) ?? '',
    /pod default\/p \(container c\): nginx:stable has no tcpdump/,
  );
  assert.equal(refusedInPod(pod('praqma/network-multitool:latest'), call(['tcpdump', '-n'])), undefined);
  // The background wrapper runs the command it wraps; nsenter into the node runs the node's program.
  assert.match(
    refusedInPod(pod('nginx:stable'), call(['sh', '-c', 'echo $$ > "$0" && exec "$@"', '/tmp/pid', 'tcpdump'])) ?? '',
    /has no tcpdump/,
  );
  assert.match(
    refusedInPod(pod('praqma/network-multitool:latest'), call(['nsenter', '-t', '1', '-n', '-m', '--', 'tcpdump'])) ?? '',
    new RegExp(`${KIND_NODE_IMAGE.replace(/[()]/g, '\\$&')} has no tcpdump`),
  );
  assert.match(refusedInPod(pod('praqma/network-multitool:latest'), { ...call(['ip']), container: 'other' }) ?? '', /no such container/);
});
