/**
 * A pod joining and leaving the lab's network, as Calico's CNI plugin does it on ADD and DEL:
 * address, veth pair, host route, proxy ARP, resolv.conf; and all of it undone.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodRequest } from '../../cluster/cluster.ts';
import { endProcessesIn, runBatch, sysctl } from '../kernel.ts';
import { addPod, findNode, removePod, scheduleOnWorker, type LabPod, type LabState } from '../model.ts';
import { blockRouteLine } from '../felix/routes.ts';
import { nodeSysctls, podBatch, podHostSideLines, resolvConf } from './wiring.ts';

export const NETNS_ETC = '/etc/netns';

export function writeResolvConf(state: LabState, pod: LabPod): void {
  const dir = join(NETNS_ETC, pod.netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), resolvConf(state, pod));
}

/** Wires the pod side of pods whose namespaces and veth pairs exist already. */
export async function wirePods(state: LabState, pods: LabPod[]): Promise<void> {
  const networked = pods.filter((pod) => !pod.hostNetwork);
  await Promise.all(networked.map((pod) => runBatch(podBatch(pod))));
  for (const pod of networked) writeResolvConf(state, pod);
}

/** Admits a pod to the model and wires it; a block claimed for it gets its routes on every node. */
export async function cniAdd(state: LabState, request: PodRequest): Promise<LabPod> {
  const workload = {
    kind: 'Pod' as const,
    name: request.name,
    namespace: request.namespace,
    labels: request.labels ?? {},
    toleratesControlPlane: false,
    hostNetwork: request.hostNetwork ?? false,
    containers: [request.name],
  };
  const node = request.node ? findNode(state, request.node) : scheduleOnWorker(state);
  return cniAddPod(state, () => addPod(state, { workload, name: request.name, node: node.name }));
}

/** CNI ADD for a pod the model admits through `admit` (a bare pod, a controller's replica). */
export async function cniAddPod(state: LabState, admit: () => LabPod): Promise<LabPod> {
  const blocksBefore = new Set(state.ipam.blocks.map((block) => block.cidr));
  const pod = admit();
  const node = findNode(state, pod.node);
  if (pod.hostNetwork) return pod;
  await runBatch({ netns: undefined, lines: [`netns add ${pod.netns}`] });
  try {
    await runBatch({ netns: node.netns, lines: podHostSideLines(state, pod) });
    await sysctl(node.netns, nodeSysctls(state, node, [pod]));
    await wirePods(state, [pod]);
    const claimed = state.ipam.blocks.filter((block) => !blocksBefore.has(block.cidr));
    await Promise.all(state.nodes.map((each) => runBatch({ netns: each.netns, lines: claimed.map((block) => blockRouteLine(state, each, block.cidr, block.node)) })));
  } catch (error) {
    // The model change is not saved (the state lock's caller drops it); take the kernel's back too.
    await runBatch({ netns: undefined, lines: [`netns delete ${pod.netns}`] }).catch(() => undefined);
    rmSync(join(NETNS_ETC, pod.netns), { recursive: true, force: true });
    throw error;
  }
  return pod;
}

/** The fault under which DEL forgets to release the address (see faults.ts). */
export const IPAM_LEAK_FAULT = 'ipam-leak';

/** Removes a pod from the kernel and the model, releasing its address. */
export async function cniDel(state: LabState, pod: LabPod): Promise<void> {
  if (!pod.hostNetwork) {
    const namespaces = [pod.netns, ...Object.values(pod.containerNetns ?? {})];
    await endProcessesIn(namespaces);
    // Delete the pod's eth0 (and with it the host end of the pair) explicitly, as the plugin
    // does: a deleted namespace takes its interfaces along only when the kernel gets round to it.
    await runBatch({ netns: pod.netns, lines: ['link del eth0'] });
    await runBatch({ netns: undefined, lines: namespaces.map((name) => `netns delete ${name}`) });
    rmSync(join(NETNS_ETC, pod.netns), { recursive: true, force: true });
  }
  removePod(state, pod.namespace, pod.name, { release: !state.faults.includes(IPAM_LEAK_FAULT) });
}
