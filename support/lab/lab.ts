/**
 * Brings the embedded lab up and down on the kernel: runs the wiring plan, keeps the state
 * file, and removes everything carrying the lab's prefix at the end, also after a crash.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../exec/run.ts';
import { EnvironmentError, type PodRequest } from '../cluster/cluster.ts';
import { NETNS_ETC, cniAdd, cniDel, wirePods } from './cni/cni.ts';
import { faultApplies, findFault } from './faults/faults.ts';
import { DEFAULT_TOPOLOGY } from '../topology/catalogue.ts';
import { endProcessesIn, runBatch, runBridgeBatch, sysctl } from './kernel.ts';
import { findPod, planLab, type LabPod, type LabState } from './model.ts';
import { labObjectPrefix } from './naming.ts';
import { removeLabFiles, removeNodeLayer, startNodeHolder, writeNodeLayer } from './cni/node-fs.ts';
import { loadLabSpec, type SpecOptions } from './spec.ts';
import { readState, removeState, updateState, writeState } from './state.ts';
import { nodeSysctls } from './cni/wiring.ts';
import { fabricBatch, namespacesToAdd } from './topology/fabric.ts';
import { nodeBatch, nodeFdbBatch } from './wiring.ts';
import { linkBatches, mgmtBatch, routerBatch, sysctlsOf } from './topology/routed.ts';
import { routerNetns } from './naming.ts';
import { configureRouter, relabelNode, startLabBgp } from './bgp/lab-bgp.ts';
import { removeBgpSockets } from './bgp/daemons.ts';

export interface UpResult {
  state: LabState;
  /** False when a lab of that name was already running and was attached to instead. */
  created: boolean;
}

export interface UpOptions extends SpecOptions {
  /** Faults to apply once the lab is wired. */
  faults?: string[];
}

/** Brings the lab up from the fixtures, or attaches to the one of that name already running. */
export async function labUp(options: UpOptions = {}): Promise<UpResult> {
  const spec = loadLabSpec(options);
  options.faults?.forEach(findFault); // refuse unknown names before anything is created
  const running = readState(spec.name);
  const namespaces = await labNamespaces(spec.name);
  if (running) {
    const missing = running.nodes.filter((node) => !namespaces.includes(node.netns));
    if (missing.length) throw new EnvironmentError(`lab ${spec.name} has a state file but ${missing.length} of its nodes are gone (a crashed run?)`, 'clear it with npm run lab:down, then try again');
    if (options.faults?.length) throw new EnvironmentError(`lab ${spec.name} is already up`, `break it with npm run lab:fault -- ${options.faults.join(' ')}, or take it down first`);
    return { state: running, created: false };
  }
  if (namespaces.length > 0) {
    throw new EnvironmentError(`${namespaces.length} namespace(s) of a lab named ${spec.name} exist without a state file (a crashed run?)`, 'clear them with npm run lab:down, then try again');
  }
  const state = planLab(spec);
  writeState(state); // first, so that lab:down can clear a half-built lab
  try {
    await wireLab(state);
    if (options.faults?.length) await applyFaultsTo(state, options.faults);
    writeState(state);
  } catch (error) {
    await labDown(spec.name);
    throw new EnvironmentError(`the lab could not be built on this machine: ${(error as Error).message}`, 'it has been removed again; check the kernel supports veth, bridge, vxlan and overlayfs in network namespaces');
  }
  return { state, created: true };
}

/** Like Promise.all, but waits for every task before failing, so a clean-up never races a task still running. */
async function allSettled(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Builds every kernel object of the lab from its model. */
async function wireLab(state: LabState): Promise<void> {
  await runBatch(namespacesToAdd(state));
  await runBatch(fabricBatch(state));
  if (state.spec.routed) {
    await runBatch(mgmtBatch(state));
    await allSettled(linkBatches(state).map(runBatch));
    await runBatch(routerBatch(state));
    await sysctl(routerNetns(state.name), sysctlsOf(state.spec.routed.router.exec));
  }
  await allSettled(state.nodes.map((node) => runBatch(nodeBatch(state, node))));
  await allSettled(state.nodes.map((node) => runBridgeBatch(nodeFdbBatch(state, node))));
  await allSettled([...state.nodes.map((node) => sysctl(node.netns, [...nodeSysctls(state, node), ...sysctlsOf(state.spec.routed?.nodeExec[node.name] ?? [])])), wirePods(state, state.pods)]);
  await allSettled(
    state.nodes.map(async (node) => {
      removeNodeLayer(state.name, node.name); // a rebuild starts from the files the node should have
      writeNodeLayer(state, node);
      node.holderPid = await startNodeHolder(state.name, node);
    }),
  );
  await startLabBgp(state);
}

async function applyFaultsTo(state: LabState, names: string[]): Promise<void> {
  const faults = names.map(findFault).filter((fault) => faultApplies(fault, state.spec.topology ?? DEFAULT_TOPOLOGY));
  for (const fault of faults) {
    if (state.faults.includes(fault.name)) throw new Error(`fault ${fault.name} is already applied to lab ${state.name}`);
    state.pristine ??= structuredClone({ nodes: state.nodes, pods: state.pods, ipam: state.ipam, spec: state.spec });
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
  removeLabFiles(labName);
  removeBgpSockets(labName);
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




function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** CNI ADD, lab style: an address from the node's block, the veth pair, the host route, DNS. */
export async function labCreatePod(labName: string, request: PodRequest): Promise<LabPod> {
  return updateState(labName, (state) => cniAdd(state, request));
}

/** CNI DEL, lab style: the pod's namespace goes (taking its veth pair and host route along) and its address is released. */
export async function labDeletePod(labName: string, namespace: string, name: string): Promise<void> {
  await updateState(labName, async (state) => {
    const pod = findPod(state, namespace, name);
    if (!pod) throw new Error(`lab ${labName} has no pod ${namespace}/${name}`);
    await cniDel(state, pod);
  });
}

/** Labels (or, with null, unlabels) a node, as `kubectl label node` does; BGP follows before this resolves. */
export async function labLabelNode(labName: string, node: string, changes: Record<string, string | null>): Promise<void> {
  await updateState(labName, (state) => relabelNode(state, node, changes));
}

/** Configures the router's FRR (as an operator at its CLI); BGP settles before this resolves. */
export async function labConfigureRouter(labName: string, lines: string[]): Promise<void> {
  const state = readState(labName);
  if (!state) throw new Error(`no lab named ${labName} is running`);
  await configureRouter(state, lines);
}
