/**
 * The lesson 02 and 03 checks done the way the course does them: one command per check, each
 * in a process of its own (`ip netns exec` standing in for `kubectl exec` / `docker exec`),
 * captures started in the background and given fixed sleeps. Generated from a running lab.
 */
import type { LabState } from '../support/lab/model.ts';

export function courseWayScript(state: LabState): string {
  const pod = (workload: string, node: string) => {
    const found = state.pods.find((candidate) => candidate.workload === workload && candidate.node === node);
    if (!found) throw new Error(`no ${workload} pod on ${node}`);
    return found;
  };
  const [worker, worker2] = state.nodes.filter((node) => node.role === 'worker');
  if (!worker || !worker2) throw new Error('the course-way script needs two workers');
  const bare = state.pods.find((candidate) => candidate.workload === 'multitool' && candidate.ownerKind === 'Pod');
  if (!bare) throw new Error('no multitool pod');
  const source = pod('multitool-1', worker.name);
  const sameNode = pod('multitool-2', worker.name);
  const crossNode = pod('multitool-1', worker2.name);
  const inPod = (netns: string) => `ip netns exec ${netns}`;
  const onNode = (netns: string) => `ip netns exec ${netns}`;
  const capture = (target: string, from: string, to: string) => [
    `${inPod(target)} tcpdump -n -i eth0 icmp > /dev/null 2>&1 &`,
    'capture=$!',
    'sleep 1',
    `${inPod(from)} ping -c 3 -i ${0.2} -W 1 ${to} > /dev/null`,
    'sleep 1',
    'kill -INT $capture; wait $capture || true',
  ];
  return [
    '#!/usr/bin/env bash',
    'set -e',
    '# lesson 02: the multitool pod and its node',
    ...['ip addr', 'ip link', 'ip route', 'cat /etc/resolv.conf'].map((command) => `${inPod(bare.netns)} ${command} > /dev/null`),
    `${onNode(worker.netns)} ip route | grep ${bare.ip} > /dev/null`,
    `${onNode(worker.netns)} ip addr show ${bare.hostInterface} > /dev/null`,
    '# lesson 03: same node',
    `${inPod(source.netns)} ip addr > /dev/null`,
    `${inPod(source.netns)} ip route > /dev/null`,
    `${inPod(source.netns)} ping -c 3 -i 0.2 -W 1 ${sameNode.ip} > /dev/null`,
    `${onNode(worker.netns)} ip route | grep ${sameNode.ip} > /dev/null`,
    ...capture(sameNode.netns, source.netns, sameNode.ip),
    '# lesson 03: across nodes',
    `${inPod(source.netns)} ping -c 3 -i 0.2 -W 1 ${crossNode.ip} > /dev/null`,
    `${onNode(worker.netns)} ip route get ${crossNode.ip} > /dev/null`,
    `${onNode(worker2.netns)} ip route | grep ${crossNode.ip} > /dev/null`,
    ...capture(crossNode.netns, source.netns, crossNode.ip),
    '',
  ].join('\n');
}
