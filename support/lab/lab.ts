/**
 * Brings the embedded lab up and down on the kernel: runs the wiring plan, keeps the state
 * file, and removes everything carrying the lab's prefix at the end, also after a crash.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatCidr, parseCidr } from '../net/cidr.ts';
import { EnvironmentError, type PodRequest } from '../domain.ts';
import { NETNS_ETC, admitPod, cniAdd, cniDel, readdressPod, wirePods } from './cni/cni.ts';
import { IP_ADDRS_APPLIED_LATE_FAULT, OPERATOR_REVERTS_FELIX_FAULT, RESERVATION_NARROWED_FAULT } from './faults/behaviours.ts';
import { ipamRequestOf } from './ipam/request.ts';
import { findFault } from './faults/faults.ts';
import { faultApplies } from './faults/fault.ts';
import { DEFAULT_TOPOLOGY } from '../topology/catalogue.ts';
import { NETNS_RUN, endProcessesIn, runBatch, runBridgeBatch, sysctl } from './kernel.ts';
import { findPendingPod, findPod, planLab, uniquePodName, type LabPod, type LabState, type PendingPod } from './model.ts';
import { LAB_SCRATCH_DIR, labObjectPrefix, fabricNetns } from './naming.ts';
import { forgetContainers } from './kubelet/kubelet.ts';
import { removeLabFiles, removeNodeLayer, startNodeHolder, writeNodeLayer } from './cni/node-fs.ts';
import { loadLabSpec, workloadMtu, type SpecOptions } from './spec.ts';
import { VXLAN_DEVICE, VXLAN_MTU_STUCK_FAULT } from './felix/routes.ts';
import { readState, removeState, updateState, writeState } from './state.ts';
import { nodeSysctls } from './cni/wiring.ts';
import { fabricBatch, namespacesToAdd } from './topology/fabric.ts';
import { nodeBatch, nodeFdbBatch } from './wiring.ts';
import { linkBatches, mgmtBatch, routerBatch, sysctlsOf } from './topology/routed.ts';
import { FABRIC_FORWARDING, hasOutsideWorld, outsideFabricBatch, outsideHostBatch } from './topology/outside.ts';
import { routerNetns } from './naming.ts';
import { startKubeProxy, syncKubeProxy } from './kube-proxy/sync.ts';
import { startServers } from './servers/servers.ts';
import { replaceReplica } from './controllers/deployment.ts';
import { startClusterDns, writeNodeResolvConf } from './dns/cluster-dns.ts';
import { applyQos } from './felix/qos.ts';
import { applyNatOutgoing, syncNatOutgoingIpsets } from './felix/nat-outgoing.ts';
import { startRedis } from './servers/redis.ts';
import { recreateOrdinal } from './controllers/statefulset.ts';
import { startApiServer } from './servers/apiserver.ts';
import { configureRouter, relabelNode, setServiceLoadBalancerIPs, startLabBgp } from './bgp/lab-bgp.ts';
import { removeBgpSockets } from './bgp/daemons.ts';
import { attachSecondary } from './multus/multus.ts';
import { startPythonServers } from './servers/python-script.ts';
import { startWireguard, syncWireguard, wireguardEnabled } from './felix/wireguard.ts';
import { timePhase } from './phases.ts';
import { dnsServerCode } from './dns/bundle.ts';

export interface UpResult {
  state: LabState;
  /** False when a lab of that name was already running and was attached to instead. */
  created: boolean;
  /** Set when a lab left behind by a run that is gone was cleared first: says what was cleared. */
  cleared?: string;
}

export interface UpOptions extends SpecOptions {
  /** Faults to apply once the lab is wired. */
  faults?: string[];
  /** The lab outlives this process (default true: a lab brought up by hand is kept); only a kept lab is attached to. */
  keep?: boolean;
}

/** Is the process that owns a lab still running? */
function ownerAlive(state: LabState): boolean {
  if (state.owner === undefined) return false;
  try {
    process.kill(state.owner, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Brings the lab up from the fixtures, or attaches to the one of that name already running if
 * it was kept on purpose. A lab whose owner is gone and that was not kept (a run killed with
 * kill -9, half-changed by whatever scenario was running) is cleared and built afresh.
 */
export async function labUp(options: UpOptions = {}): Promise<UpResult> {
  const spec = loadLabSpec(options);
  options.faults?.forEach(findFault); // refuse unknown names before anything is created
  const running = readState(spec.name);
  let namespaces = await labNamespaces(spec.name);
  let cleared: string | undefined;
  if (running && !running.kept && !ownerAlive(running)) {
    await labDown(spec.name);
    namespaces = [];
    cleared = `lab ${spec.name} was left behind by run ${running.owner ?? '(unknown)'}, which is gone, and was not kept: cleared it and built it afresh`;
  } else if (running) {
    if (!running.kept) {
      throw new EnvironmentError(
        `lab ${spec.name} belongs to run ${running.owner}, which is still running`,
        `wait for it to end, or choose another lab with --lab <name>`,
      );
    }
    const missing = running.nodes.filter((node) => !namespaces.includes(node.netns));
    if (missing.length)
      throw new EnvironmentError(
        `lab ${spec.name} has a state file but ${missing.length} of its nodes are gone (a crashed run?)`,
        'clear it with npm run lab:down, then try again',
      );
    if (options.faults?.length)
      throw new EnvironmentError(
        `lab ${spec.name} is already up`,
        `break it with npm run lab:fault -- ${options.faults.join(' ')}, or take it down first`,
      );
    return { state: running, created: false };
  }
  if (namespaces.length > 0) {
    throw new EnvironmentError(
      `${namespaces.length} namespace(s) of a lab named ${spec.name} exist without a state file (a crashed run?)`,
      'clear them with npm run lab:down, then try again',
    );
  }
  const state: LabState = { ...planLab(spec), owner: process.pid, kept: options.keep ?? true };
  writeState(state); // first, so that lab:down can clear a half-built lab
  try {
    await wireLab(state);
    if (options.faults?.length) await applyFaultsTo(state, options.faults);
    writeState(state);
  } catch (error) {
    await labDown(spec.name);
    throw new EnvironmentError(
      `the lab could not be built on this machine: ${(error as Error).message}`,
      'it has been removed again; check the kernel supports veth, bridge, vxlan and overlayfs in network namespaces',
    );
  }
  return { state, created: true, ...(cleared ? { cleared } : {}) };
}

/** Like Promise.all, but waits for every task before failing, so a clean-up never races a task still running. */
async function allSettled(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Builds every kernel object of the lab from its model. */
async function wireLab(state: LabState): Promise<void> {
  const phase = <T>(name: string, work: () => Promise<T>) => timePhase(state.name, name, work);
  dnsServerCode().catch(() => undefined); // bundled while the kernel objects are made; its error shows where it is awaited
  await phase('namespaces', () => runBatch(namespacesToAdd(state)));
  await phase('fabric', () => runBatch(fabricBatch(state)));
  if (hasOutsideWorld(state)) {
    await phase('outside', async () => {
      await runBatch(outsideFabricBatch(state));
      await runBatch(outsideHostBatch(state));
      await sysctl(fabricNetns(state.name), FABRIC_FORWARDING);
    });
  }
  if (state.spec.routed) {
    const routed = state.spec.routed;
    await phase('router', async () => {
      await runBatch(mgmtBatch(state));
      await allSettled(linkBatches(state).map(runBatch));
      await runBatch(routerBatch(state));
      await sysctl(routerNetns(state.name), sysctlsOf(routed.router.exec));
    });
  }
  await phase('nodes', () => allSettled(state.nodes.map((node) => runBatch(nodeBatch(state, node)))));
  await phase('fdb', () => allSettled(state.nodes.map((node) => runBridgeBatch(nodeFdbBatch(state, node)))));
  await phase('sysctls+pods', () =>
    allSettled([
      ...state.nodes.map((node) =>
        sysctl(node.netns, [...nodeSysctls(state, node), ...sysctlsOf(state.spec.routed?.nodeExec[node.name] ?? [])]),
      ),
      wirePods(state, state.pods),
    ]),
  );
  await phase('secondary networks', () => attachSecondary(state, state.pods));
  await phase('qos', () => applyQos(state, state.pods));
  // From here on the lab's processes start side by side, each after only what it needs.
  await allSettled([
    phase('node holders', () =>
      allSettled(
        state.nodes.map(async (node) => {
          removeNodeLayer(state.name, node.name); // a rebuild starts from the files the node should have
          writeNodeLayer(state, node);
          writeNodeResolvConf(state, node);
          node.holderPid = await startNodeHolder(state.name, node);
        }),
      ),
    ),
    // Both write the nodes' nat table: one after the other.
    phase('nat-outgoing', () => allSettled(state.nodes.map((node) => applyNatOutgoing(state, node)))).then(() =>
      phase('kube-proxy', () => startKubeProxy(state)),
    ),
    phase('cluster dns', () => startClusterDns(state)),
    phase('servers', () => allSettled([startServers(state.name, state.pods), startPythonServers(state, state.pods)])),
  ]);
  await allSettled([
    // After kube-proxy and the cluster DNS: the replicas find their master through the DNS's ClusterIP.
    phase('redis', () => startRedis(state)),
    // The containerlab family's lessons talk to the API server across the router (lesson 18).
    ...(state.spec.routed ? [phase('apiserver', () => startApiServer(state)).then((pid) => void (state.apiServerPid = pid))] : []),
    phase('bgp', () => startLabBgp(state)),
  ]);
  // A rebuilt lab (faults undone) brings WireGuard back as the FelixConfiguration says, with the nodes' keys.
  // (After the node holders: each node's wireguard-go runs in its node's mount namespace.)
  for (const node of state.nodes) if (node.wireguard) delete node.wireguard.pid;
  if (wireguardEnabled(state)) await phase('wireguard', () => startWireguard(state));
}

async function applyFaultsTo(state: LabState, names: string[]): Promise<void> {
  const faults = names.map(findFault).filter((fault) => faultApplies(fault, state.spec.topology ?? DEFAULT_TOPOLOGY));
  for (const fault of faults) {
    if (state.faults.includes(fault.name)) throw new Error(`fault ${fault.name} is already applied to lab ${state.name}`);
    state.pristine ??= structuredClone({
      nodes: state.nodes,
      pods: state.pods,
      ipam: state.ipam,
      spec: state.spec,
      services: state.services,
    });
    await fault.apply(state);
    state.faults.push(fault.name);
    // kube-proxy follows what the fault changed in the model (or misbehaves, if the fault is kube-proxy's).
    await syncKubeProxy(state);
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
    if (unknown.length)
      throw new Error(`lab ${labName} does not have fault(s) ${unknown.join(', ')} (applied: ${state.faults.join(', ') || 'none'})`);
    const remaining = names.length === 0 ? [] : state.faults.filter((name) => !names.includes(name));
    if (state.pristine) {
      Object.assign(state, state.pristine);
      state.staleEndpointSlices = undefined; // only a fault freezes the slices
    }
    state.pristine = undefined;
    state.faults = [];
    // The lab's own processes read the model from the state file while it is rebuilt (the
    // cluster DNS answers redis-0's name to its replicas' init): they must read the mended one,
    // not the broken lab's, whose pods a scenario may have recreated at other addresses.
    writeState(state);
    await unwireLab(labName);
    await wireLab(state);
    await applyFaultsTo(state, remaining);
    return state;
  });
}

/** The lab's network namespaces on this machine, found by prefix (also those of a crashed run). */
export async function labNamespaces(labName: string): Promise<string[]> {
  const prefix = labObjectPrefix(labName);
  return safeReaddir(NETNS_RUN).filter((name) => name.startsWith(prefix));
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
  const report = await timePhase(labName, 'down', () => unwireLab(labName));
  removeLabFiles(labName);
  removeScratchFiles(labName);
  removeBgpSockets(labName);
  removeState(labName);
  return report;
}

/** Removes the lab's kernel objects and /etc/netns entries, found by prefix; keeps the state file. */
async function unwireLab(labName: string): Promise<DownReport> {
  const namespaces = await labNamespaces(labName);
  const processes = await endProcessesIn(namespaces);
  forgetContainers(labName);
  if (namespaces.length > 0) await runBatch({ netns: undefined, lines: namespaces.map((name) => `netns delete ${name}`) });
  const prefix = labObjectPrefix(labName);
  for (const entry of safeReaddir(NETNS_ETC)) {
    if (entry.startsWith(prefix)) rmSync(join(NETNS_ETC, entry), { recursive: true, force: true });
  }
  return { namespaces: namespaces.length, processes };
}

/** What the lab's commands left in /tmp (a capture's file, when its run was killed mid-capture). */
function removeScratchFiles(labName: string): void {
  const prefix = labObjectPrefix(labName);
  for (const entry of safeReaddir(LAB_SCRATCH_DIR)) {
    if (entry.startsWith(prefix)) rmSync(join(LAB_SCRATCH_DIR, entry), { force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * CNI ADD, lab style: an address from Calico IPAM, the veth pair, the host route, DNS. A pod
 * IPAM refuses stays pending (ContainerCreating) and `undefined` comes back.
 */
export async function labCreatePod(labName: string, request: PodRequest): Promise<LabPod | undefined> {
  return updateState(labName, async (state) => {
    const pod = await cniAdd(state, request);
    if (pod) await startServers(labName, [pod]);
    if (pod) await syncKubeProxy(state);
    return pod;
  });
}

/** CNI DEL, lab style: the pod's namespace goes (taking its veth pair and host route along) and its address is released. */
export async function labDeletePod(labName: string, namespace: string, name: string): Promise<void> {
  await updateState(labName, async (state) => {
    const pending = findPendingPod(state, namespace, name);
    if (pending) {
      // Its sandbox never came up: CNI DEL releases by handle, and the pod holds none.
      state.pendingPods = state.pendingPods.filter((candidate) => candidate !== pending);
      delete state.events[`${namespace}/${name}`];
      return;
    }
    const pod = findPod(state, namespace, name);
    if (!pod) throw new Error(`lab ${labName} has no pod ${namespace}/${name}`);
    // A deleted pod is Terminating before its containers stop: its endpoints are no longer
    // ready, so the cluster DNS stops naming it before its peers see its connections close.
    pod.ready = false;
    writeState(state);
    await cniDel(state, pod);
    const replacement = await replaceReplica(state, pod);
    if (replacement) await startServers(labName, [replacement]);
    const recreated = await recreateOrdinal(state, pod);
    await syncKubeProxy(state);
    // The servers find each other by name: the new pod's records must be in the saved model first.
    if (recreated) writeState(state);
    if (recreated) await startRedis(state, [recreated]);
    delete state.events[`${namespace}/${name}`];
  });
}

/**
 * The Installation's MTU changes: pods created afterwards get it (the CNI configuration each
 * node's plugin reads), and Felix sets vxlan.calico to it; pods that exist keep theirs.
 */
export async function labSetInstallationMtu(labName: string, mtu: number | undefined): Promise<void> {
  await updateState(labName, async (state) => {
    state.spec.installationMtu = mtu;
    state.mtu = workloadMtu(state.spec);
    for (const node of state.nodes) writeNodeLayer(state, node);
    if (state.faults.includes(VXLAN_MTU_STUCK_FAULT)) return;
    // Felix only warns when the kernel refuses the MTU (larger than the parent allows) and
    // leaves the device as it is (vxlan_mgr.go, "Failed to set vxlan tunnel device MTU").
    await Promise.allSettled(
      state.nodes
        .filter((node) => node.tunnelIP)
        .map((node) => runBatch({ netns: node.netns, lines: [`link set ${VXLAN_DEVICE} mtu ${state.mtu}`] })),
    );
  });
}

/** Merges annotations into a pod's metadata (null removes one). A running pod's network does not change: CNI read them at ADD. */
export async function labAnnotatePod(
  labName: string,
  namespace: string,
  name: string,
  annotations: Record<string, string | null>,
): Promise<LabPod | PendingPod> {
  return updateState(labName, async (state) => {
    const pod = findPod(state, namespace, name) ?? findPendingPod(state, namespace, name);
    if (!pod) throw new Error(`lab ${labName} has no pod ${namespace}/${name}`);
    mergeAnnotations(pod.annotations, annotations);
    const wanted = ipamRequestOf(pod.annotations);
    const running = findPod(state, namespace, name);
    if (state.faults.includes(IP_ADDRS_APPLIED_LATE_FAULT) && running && wanted.kind === 'explicit' && wanted.ip !== running.ip)
      await readdressPod(state, running, wanted.ip);
    return pod;
  });
}

function mergeAnnotations(target: Record<string, string>, patch: Record<string, string | null>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else target[key] = value;
  }
}

/**
 * A DaemonSet's pod template annotations patched: the DaemonSet controller replaces its pods
 * one node at a time (RollingUpdate, maxUnavailable 1): the old pod goes (CNI DEL), a new one
 * with a new name comes up on the same node (CNI ADD with the new annotations).
 */
export async function labPatchDaemonSet(
  labName: string,
  namespace: string,
  name: string,
  annotations: Record<string, string | null>,
): Promise<LabPod[]> {
  return updateState(labName, async (state) => {
    const workload = state.spec.workloads.find(
      (candidate) => candidate.kind === 'DaemonSet' && candidate.namespace === namespace && candidate.name === name,
    );
    if (!workload) throw new Error(`lab ${labName} has no DaemonSet ${namespace}/${name}`);
    workload.annotations ??= {};
    mergeAnnotations(workload.annotations, annotations);
    const replaced: LabPod[] = [];
    for (const old of state.pods.filter((pod) => pod.ownerKind === 'DaemonSet' && pod.namespace === namespace && pod.workload === name)) {
      await cniDel(state, old);
      delete state.events[`${namespace}/${old.name}`];
      const pod = await admitPod(state, workload, uniquePodName(state, workload), old.node);
      if (!pod)
        throw new Error(
          `DaemonSet ${name}: the new pod on ${old.node} got no address: ${state.events[`${namespace}/${state.pendingPods.at(-1)?.name}`]?.at(-1)?.message}`,
        );
      replaced.push(pod);
    }
    await startServers(labName, replaced);
    await syncKubeProxy(state);
    return replaced;
  });
}

/** `kubectl apply` of an IPReservation: created unless one of that name exists. IPAM honours it from the next assignment on. */
export async function labApplyIpReservation(labName: string, reservation: { name: string; reservedCIDRs: string[] }): Promise<boolean> {
  return updateState(labName, async (state) => {
    if (state.ipam.reservations.some((existing) => existing.name === reservation.name)) return false;
    const narrowed = state.faults.includes(RESERVATION_NARROWED_FAULT);
    const cidrs = reservation.reservedCIDRs.map((cidr) => (narrowed ? narrow(cidr) : cidr));
    state.ipam.reservations.push({ name: reservation.name, cidrs });
    return true;
  });
}

function narrow(cidr: string): string {
  const parsed = parseCidr(cidr);
  return formatCidr({ base: parsed.base, prefix: Math.min(32, parsed.prefix + 1), size: Math.max(1, parsed.size / 2) });
}

export async function labDeleteIpReservation(labName: string, name: string): Promise<void> {
  await updateState(labName, async (state) => {
    state.ipam.reservations = state.ipam.reservations.filter((reservation) => reservation.name !== name);
  });
}

/** Labels (or, with null, unlabels) a node, as `kubectl label node` does; BGP follows before this resolves. */
export async function labLabelNode(labName: string, node: string, changes: Record<string, string | null>): Promise<void> {
  await updateState(labName, (state) => relabelNode(state, node, changes));
}

/** Sets BGPConfiguration default's serviceLoadBalancerIPs; every BIRD follows as confd would, and BGP settles. */
export async function labSetServiceLoadBalancerIPs(labName: string, cidrs: string[]): Promise<void> {
  await updateState(labName, (state) => setServiceLoadBalancerIPs(state, cidrs));
}

/** Configures the router's FRR (as an operator at its CLI); BGP settles before this resolves. */
export async function labConfigureRouter(labName: string, lines: string[]): Promise<void> {
  const state = readState(labName);
  if (!state) throw new Error(`no lab named ${labName} is running`);
  await configureRouter(state, lines);
}

/**
 * Sets a pool's natOutgoing, as a change of the Installation's pool does through the operator;
 * every node's Felix follows (its masq ipset) before this resolves.
 */
export async function labSetPoolNatOutgoing(labName: string, pool: string, natOutgoing: boolean): Promise<void> {
  await updateState(labName, async (state) => {
    const found = state.spec.pools.find((candidate) => candidate.name === pool);
    if (!found) throw new Error(`lab ${labName} has no pool ${pool} (pools: ${state.spec.pools.map((p) => p.name).join(', ')})`);
    found.natOutgoing = natOutgoing;
    await allSettled(state.nodes.map((node) => syncNatOutgoingIpsets(state, node)));
  });
}

/**
 * A merge patch of FelixConfiguration `default` (null removes a field), as
 * `kubectl patch felixconfiguration default --type=merge` applies it; Felix then follows it
 * (WireGuard on or off on every node).
 */
export async function labPatchFelixConfiguration(labName: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
  return updateState(labName, async (state) => {
    if (state.faults.includes(OPERATOR_REVERTS_FELIX_FAULT)) return { ...(state.felixConfiguration ?? {}) };
    const spec = { ...(state.felixConfiguration ?? {}) };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete spec[key];
      else spec[key] = value;
    }
    state.felixConfiguration = spec;
    await syncWireguard(state);
    return { ...spec };
  });
}
