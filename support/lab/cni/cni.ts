/**
 * A pod joining and leaving the lab's network, as Calico's CNI plugin does it on ADD and DEL:
 * address, veth pair, host route, proxy ARP, resolv.conf; and all of it undone.
 */
import { applyQos, removeQos } from '../felix/qos.ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodRequest } from '../../domain.ts';
import { Ipam, IpamAssignError, isHostBlock } from '../ipam/ipam.ts';
import { PROXY_ARP_OFF_FAULT } from '../faults/behaviours.ts';
import { endProcessesIn, runBatch, sysctl } from '../kernel.ts';
import { addPod, findNode, recordEvent, removePod, scheduleOnWorker, type LabPod, type LabState } from '../model.ts';
import type { WorkloadSpec } from '../workload-spec.ts';
import { blockRouteLine, borrowedRouteLines } from '../felix/routes.ts';
import { nodeSysctls, podBatch, podHostSideLines, resolvConf } from './wiring.ts';
import { attachSecondary, detachSecondary } from '../multus/multus.ts';

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

/** What the kubelet records when the CNI plugin fails ADD (the runtime's wording, Calico's error at the end). */
export function sandboxFailureMessage(containerID: string, error: string): string {
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${containerID}": plugin type="calico" failed (add): error getting IP from IPAM: ${error}`;
}

/** A bare pod of the request, as the model's workloads describe pods. */
export function requestWorkload(request: PodRequest): WorkloadSpec {
  return {
    kind: 'Pod',
    name: request.name,
    namespace: request.namespace,
    labels: request.labels ?? {},
    toleratesControlPlane: false,
    hostNetwork: request.hostNetwork ?? false,
    containers: [request.name],
    annotations: { ...(request.annotations ?? {}) },
  };
}

/**
 * Admits a pod to the model and wires it; a block claimed for it gets its routes on every
 * node, a block released on the way loses them. When Calico IPAM refuses the pod an address,
 * the pod stays ContainerCreating with the plugin's error as a FailedCreatePodSandBox event,
 * and `undefined` is returned.
 */
export async function cniAdd(state: LabState, request: PodRequest): Promise<LabPod | undefined> {
  const node = request.node ? findNode(state, request.node) : scheduleOnWorker(state);
  return admitPod(state, requestWorkload(request), request.name, node.name);
}

export async function admitPod(state: LabState, workload: WorkloadSpec, name: string, nodeName: string): Promise<LabPod | undefined> {
  const node = findNode(state, nodeName);
  recordEvent(state, workload.namespace, name, {
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned ${workload.namespace}/${name} to ${node.name}`,
  });
  try {
    return await cniAddPod(state, () => addPod(state, { workload, name, node: node.name }));
  } catch (error) {
    if (!(error instanceof IpamAssignError)) throw error;
    state.pendingPods.push({
      namespace: workload.namespace,
      name,
      workload: workload.name,
      ownerKind: workload.kind === 'Deployment' ? 'ReplicaSet' : workload.kind,
      node: node.name,
      labels: { ...workload.labels },
      annotations: { ...workload.annotations },
      containers: workload.containers.length > 0 ? [...workload.containers] : [name],
    });
    recordEvent(state, workload.namespace, name, {
      type: 'Warning',
      reason: 'FailedCreatePodSandBox',
      message: sandboxFailureMessage(randomBytes(32).toString('hex'), error.message),
    });
    return undefined;
  }
}

/**
 * CNI ADD for a pod the model admits through `admit` (a bare pod, a controller's replica): the
 * veth pair, host route, proxy ARP and DNS; Felix's routes for blocks claimed or released on
 * the way, and for an address borrowed from another node's block. IPAM's refusal
 * (IpamAssignError) comes out of `admit` before the kernel is touched.
 */
export async function cniAddPod(state: LabState, admit: () => LabPod): Promise<LabPod> {
  const blocksBefore = state.ipam.blocks.map((block) => block.cidr);
  const pod = admit();
  const node = findNode(state, pod.node);
  if (pod.hostNetwork) return pod;
  await runBatch({ netns: undefined, lines: [`netns add ${pod.netns}`] });
  try {
    await runBatch({ netns: node.netns, lines: podHostSideLines(state, pod) });
    const settings = nodeSysctls(state, node, [pod]);
    await sysctl(
      node.netns,
      state.faults.includes(PROXY_ARP_OFF_FAULT) ? settings.map((setting) => setting.replace(/proxy_arp=1$/, 'proxy_arp=0')) : settings,
    );
    await wirePods(state, [pod]);
    await attachSecondary(state, [pod]);
    await applyQos(state, [pod]);
    await syncBlockRoutes(state, blocksBefore);
    await Promise.all(state.nodes.map((each) => runBatch({ netns: each.netns, lines: borrowedRouteLines(state, each, [pod]) })));
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

/**
 * Felix's part when blocks come and go: a route (or blackhole) for every block claimed since
 * `before` on every node, and the routes of blocks released since then taken away.
 */
export async function syncBlockRoutes(state: LabState, before: string[]): Promise<void> {
  const now = state.ipam.blocks;
  const claimed = now.filter((block) => !before.includes(block.cidr));
  const released = before.filter((cidr) => !now.some((block) => block.cidr === cidr));
  if (claimed.length === 0 && released.length === 0) return;
  await Promise.all(
    state.nodes.map((each) =>
      runBatch({
        netns: each.netns,
        lines: [
          ...released.map((cidr) => `route del ${cidr}`),
          ...claimed.filter(isHostBlock).map((block) => blockRouteLine(state, each, block.cidr, block.node)),
        ],
      }),
    ),
  );
}

/** Removes a pod from the kernel and the model, releasing its address. */
export async function cniDel(state: LabState, pod: LabPod): Promise<void> {
  if (!pod.hostNetwork) {
    // A /32 the node may not hold (its block's affinity changed since): gone already is fine.
    await Promise.all(
      state.nodes.map((each) =>
        runBatch({
          netns: each.netns,
          lines: borrowedRouteLines(state, each, [pod]).map((line) => line.replace(/^route replace (\S+) .*$/, 'route del $1')),
        }).catch(() => undefined),
      ),
    );
    const namespaces = [pod.netns, ...Object.values(pod.containerNetns ?? {})];
    await endProcessesIn(namespaces);
    await detachSecondary(state, pod);
    await removeQos(state, pod);
    // Delete the pod's eth0 (and with it the host end of the pair) explicitly, as the plugin
    // does: a deleted namespace takes its interfaces along only when the kernel gets round to it.
    await runBatch({ netns: pod.netns, lines: ['link del eth0'] });
    await runBatch({ netns: undefined, lines: namespaces.map((name) => `netns delete ${name}`) });
    rmSync(join(NETNS_ETC, pod.netns), { recursive: true, force: true });
  }
  removePod(state, pod.namespace, pod.name, { release: !state.faults.includes(IPAM_LEAK_FAULT) });
}

/**
 * Moves a running pod to another address: IPAM releases the old one and assigns the new one,
 * the pod's eth0 and its node's host route follow. Calico never does this (the CNI plugin reads
 * the annotations at ADD only); the fault ipaddrs-applied-late does.
 */
export async function readdressPod(state: LabState, pod: LabPod, ip: string): Promise<void> {
  const ipam = Ipam.fromState(state.ipam);
  const blocksBefore = state.ipam.blocks.map((block) => block.cidr);
  ipam.release(pod.ip);
  ipam.assignIP(pod.node, ip, `${pod.namespace}/${pod.name}`);
  state.ipam = ipam.toState();
  const node = findNode(state, pod.node);
  // Add before delete: an interface that loses its last IPv4 address loses its routes too.
  await runBatch({ netns: pod.netns, lines: [`addr add ${ip}/32 dev eth0`, `addr del ${pod.ip}/32 dev eth0`] });
  await runBatch({
    netns: node.netns,
    lines: [`route del ${pod.ip} dev ${pod.hostInterface}`, `route replace ${ip} dev ${pod.hostInterface} scope link`],
  });
  pod.ip = ip;
  Object.assign(pod.annotations, { 'cni.projectcalico.org/podIP': `${ip}/32`, 'cni.projectcalico.org/podIPs': `${ip}/32` });
  await syncBlockRoutes(state, blocksBefore);
}
