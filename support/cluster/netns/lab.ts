/**
 * Brings the embedded lab up and down on the kernel: runs the wiring plan, keeps the state
 * file, and removes everything carrying the lab's prefix at the end, also after a crash.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runChecked } from '../../exec/run.ts';
import { runBatch, sysctl } from './kernel.ts';
import type { PodRequest } from '../cluster.ts';
import { addPod, findNode, findPod, planLab, removePod, scheduleOnWorker, type LabPod, type LabState } from './model.ts';
import { labObjectPrefix } from './naming.ts';
import { findFault } from './faults.ts';
import { loadLabSpec, type SpecOptions } from './spec.ts';
import { readState, removeState, updateState, writeState } from './state.ts';
import {
  blockRouteLine,
  fabricBatch,
  namespacesToAdd,
  nodeBatch,
  nodeSysctls,
  podBatch,
  podHostSideLines,
  resolvConf,
} from './wiring.ts';

const NETNS_ETC = '/etc/netns';

function writeResolvConf(state: LabState, pod: LabPod): void {
  const dir = join(NETNS_ETC, pod.netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), resolvConf(state, pod));
}

/** Wires pods whose namespaces exist already and whose node is up. */
async function wirePods(state: LabState, pods: LabPod[]): Promise<void> {
  const networked = pods.filter((pod) => !pod.hostNetwork);
  await Promise.all(networked.map((pod) => runBatch(podBatch(pod))));
  for (const pod of networked) writeResolvConf(state, pod);
}

export interface UpResult {
  state: LabState;
  /** False when a lab of that name was already running and was attached to instead. */
  created: boolean;
}

/** Brings the lab up from the fixtures, or attaches to the one of that name already running. */
export interface UpOptions extends SpecOptions {
  /** Faults to apply once the lab is wired. */
  faults?: string[];
}

export async function labUp(options: UpOptions = {}): Promise<UpResult> {
  const spec = loadLabSpec(options);
  options.faults?.forEach(findFault); // refuse unknown names before anything is created
  const running = readState(spec.name);
  if (running && options.faults?.length) {
    throw new Error(`lab ${spec.name} is already up; break it with npm run lab:fault -- ${options.faults.join(' ')}, or take it down first`);
  }
  if (running) return { state: running, created: false };
  const leftovers = await labNamespaces(spec.name);
  if (leftovers.length > 0) {
    throw new Error(`${leftovers.length} namespace(s) of a lab named ${spec.name} exist without a state file (a crashed run?); run npm run lab:down first`);
  }
  const state = planLab(spec);
  writeState(state); // first, so that lab:down can clear a half-built lab
  try {
    await wireLab(state);
    if (options.faults?.length) await applyFaultsTo(state, options.faults);
    writeState(state);
  } catch (error) {
    await labDown(spec.name);
    throw error;
  }
  return { state, created: true };
}

/** Builds every kernel object of the lab from its model. */
async function wireLab(state: LabState): Promise<void> {
  await runBatch(namespacesToAdd(state));
  await runBatch(fabricBatch(state));
  await Promise.all(state.nodes.map((node) => runBatch(nodeBatch(state, node))));
  await Promise.all([...state.nodes.map((node) => sysctl(node.netns, nodeSysctls(state, node))), wirePods(state, state.pods)]);
}

async function applyFaultsTo(state: LabState, names: string[]): Promise<void> {
  const faults = names.map(findFault);
  for (const fault of faults) {
    if (state.faults.includes(fault.name)) throw new Error(`fault ${fault.name} is already applied to lab ${state.name}`);
    state.pristine ??= structuredClone({ pods: state.pods, ipam: state.ipam });
    await fault.apply(state);
    state.faults.push(fault.name);
  }
}

/** Breaks a running lab on purpose. */
export async function labApplyFaults(labName: string, names: string[]): Promise<LabState> {
  names.forEach(findFault); // refuse unknown names before touching anything
  return updateState(labName, async (state) => {
    await applyFaultsTo(state, names);
    return state;
  });
}

/** Undoes faults (all of them when `names` is empty): rebuilds the lab from its model before the first fault, then re-applies the rest. */
export async function labUndoFaults(labName: string, names: string[] = []): Promise<LabState> {
  return updateState(labName, async (state) => {
    const unknown = names.filter((name) => !state.faults.includes(name));
    if (unknown.length) throw new Error(`lab ${labName} does not have fault(s) ${unknown.join(', ')} (applied: ${state.faults.join(', ') || 'none'})`);
    const remaining = names.length === 0 ? [] : state.faults.filter((name) => !names.includes(name));
    if (state.pristine) Object.assign(state, state.pristine);
    state.pristine = undefined;
    state.faults = [];
    await unwireLab(labName);
    await wireLab(state);
    await applyFaultsTo(state, remaining);
    return state;
  });
}

/** The lab's network namespaces on this machine, found by prefix (also those of a crashed run). */
export async function labNamespaces(labName: string): Promise<string[]> {
  const prefix = labObjectPrefix(labName);
  const listing = await runChecked(['ip', 'netns', 'list'], { where: 'the host' });
  return listing.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

export interface DownReport {
  namespaces: number;
  processes: number[];
}

/**
 * Removes everything of the lab: processes still running inside its namespaces (started by
 * its runs; ended by PID), the namespaces, /etc/netns entries and the state file.
 */
export async function labDown(labName: string): Promise<DownReport> {
  const report = await unwireLab(labName);
  removeState(labName);
  return report;
}

/** Removes the lab's kernel objects and /etc/netns entries, found by prefix; keeps the state file. */
async function unwireLab(labName: string): Promise<DownReport> {
  const namespaces = await labNamespaces(labName);
  const processes = await endProcessesIn(namespaces);
  if (namespaces.length > 0) await runBatch({ netns: undefined, lines: namespaces.map((name) => `netns delete ${name}`) });
  const prefix = labObjectPrefix(labName);
  for (const entry of safeReaddir(NETNS_ETC)) {
    if (entry.startsWith(prefix)) rmSync(join(NETNS_ETC, entry), { recursive: true, force: true });
  }
  return { namespaces: namespaces.length, processes };
}

async function endProcessesIn(namespaces: string[]): Promise<number[]> {
  const listings = await Promise.all(namespaces.map((name) => run(['ip', 'netns', 'pids', name], { where: name })));
  const pids = [...new Set(listings.flatMap((listing) => listing.stdout.split('\n').filter(Boolean).map(Number)))];
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 2_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of pids.filter(isAlive)) signal(pid, 'SIGKILL');
  return pids;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** CNI ADD, lab style: an address from the node's block, the veth pair, the host route, DNS. */
export async function labCreatePod(labName: string, request: PodRequest): Promise<LabPod> {
  return updateState(labName, async (state) => {
    const blocksBefore = new Set(state.ipam.blocks.map((block) => block.cidr));
    const workload = {
      kind: 'Pod' as const,
      name: request.name,
      namespace: request.namespace,
      labels: request.labels ?? {},
      toleratesControlPlane: false,
      hostNetwork: request.hostNetwork ?? false,
      containers: [request.name],
    };
    const node = request.node ? findNode(state, request.node) : undefined;
    const pod = addPod(state, { workload, name: request.name, node: (node ?? scheduleOnWorker(state)).name });
    if (pod.hostNetwork) return pod;
    const host = findNode(state, pod.node);
    await runBatch({ netns: undefined, lines: [`netns add ${pod.netns}`] });
    await runBatch({ netns: host.netns, lines: podHostSideLines(state, pod) });
    await sysctl(host.netns, nodeSysctls(state, host, [pod]));
    await wirePods(state, [pod]);
    // A block claimed for this pod needs its routes on every node.
    const claimed = state.ipam.blocks.filter((block) => !blocksBefore.has(block.cidr));
    await Promise.all(
      state.nodes.map((each) => runBatch({ netns: each.netns, lines: claimed.map((block) => blockRouteLine(state, each, block.cidr, block.node)) })),
    );
    return pod;
  });
}

/** CNI DEL, lab style: the pod's namespace goes (taking its veth pair and host route along) and its address is released. */
export async function labDeletePod(labName: string, namespace: string, name: string): Promise<void> {
  await updateState(labName, async (state) => {
    const pod = findPod(state, namespace, name);
    if (!pod) throw new Error(`lab ${labName} has no pod ${namespace}/${name}`);
    if (!pod.hostNetwork) {
      await endProcessesIn([pod.netns]);
      await runBatch({ netns: undefined, lines: [`netns delete ${pod.netns}`] });
      rmSync(join(NETNS_ETC, pod.netns), { recursive: true, force: true });
    }
    removePod(state, namespace, name);
  });
}
