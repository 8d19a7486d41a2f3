/**
 * The lab's cluster DNS on the kernel: the nodes' resolv.conf (naming the upstream), the
 * upstream dnsmasq in the fabric namespace at the node network's gateway, and one CoreDNS
 * stand-in (server.ts) in each coredns pod's network namespace. Reached by pods through the
 * kube-dns ClusterIP and kube-proxy's DNAT, as on a real cluster.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFilesDir, nodeLayerDir } from '../cni/node-fs.ts';
import type { LabNode, LabPod, LabState } from '../model.ts';
import { fabricNetns } from '../naming.ts';
import { isCoreDnsPod } from './coredns.ts';
import { writeDnsServer } from './bundle.ts';
import { startContainer } from '../kubelet/kubelet.ts';
import { startDaemon } from './daemon.ts';
import { nodeResolvConf, upstreamArgv } from './upstream.ts';

export function dnsFilesDir(labName: string): string {
  return join(labFilesDir(labName), 'dns');
}

/** Into the node's own /etc (its layer), before its mount namespace is set up. */
export function writeNodeResolvConf(state: LabState, node: LabNode): void {
  const etc = join(nodeLayerDir(state.name, node.name), 'etc');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'resolv.conf'), nodeResolvConf(state));
}

export function coreDnsPods(state: LabState): LabPod[] {
  return state.pods.filter((pod) => isCoreDnsPod(pod) && !pod.hostNetwork);
}

export function serverLog(labName: string, pod: Pick<LabPod, 'name'>): string {
  return join(dnsFilesDir(labName), `${pod.name}.log`);
}

/** Starts one CoreDNS stand-in in a coredns pod, as its container under the lab's kubelet; resolves with the shim's PID. */
export async function startCoreDnsServer(state: LabState, pod: LabPod): Promise<number> {
  const server = await writeDnsServer(dnsFilesDir(state.name));
  const logFile = serverLog(state.name, pod);
  return startContainer({
    labName: state.name,
    pod,
    container: 'coredns',
    argv: [process.execPath, server, state.name, logFile, corefileErrorPath(state.name)],
    logFile,
    started: () => said(logFile, /listening on :53/),
    what: `the DNS server of pod ${pod.namespace}/${pod.name}`,
    // Node starts in a fraction of a second, several times that on a machine busy with other labs.
    timeoutMs: 30_000,
  });
}

/**
 * Where a fault puts the error CoreDNS would print for a Corefile it cannot load: a server that
 * finds it there exits with it at start, as CoreDNS does, so the kubelet's restarts fail too.
 */
export function corefileErrorPath(labName: string): string {
  return join(dnsFilesDir(labName), 'corefile-error');
}

function said(file: string, pattern: RegExp): boolean {
  try {
    return pattern.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

export async function startUpstream(state: LabState): Promise<number> {
  const dir = dnsFilesDir(state.name);
  return startDaemon({
    netns: fabricNetns(state.name),
    argv: upstreamArgv(state, dir),
    logFile: join(dir, 'upstream-dnsmasq.log'),
    readyPattern: /started, version/,
    what: 'the upstream dnsmasq',
  });
}

/** The upstream first (CoreDNS forwards to it), then every coredns pod's server. */
export async function startClusterDns(state: LabState): Promise<void> {
  mkdirSync(dnsFilesDir(state.name), { recursive: true });
  rmSync(corefileErrorPath(state.name), { force: true }); // a lab rebuilt after a fault starts from a sound Corefile
  await Promise.all([startUpstream(state), writeDnsServer(dnsFilesDir(state.name))]);
  await Promise.all(coreDnsPods(state).map((pod) => startCoreDnsServer(state, pod)));
}
