/**
 * The When side of lesson 18's path claims: the changes a scenario makes to the path between
 * the subnets — the Installation's MTU, a router interface's MTU, a node's reverse-path filter —
 * and what it sends across it: sized pings not to be fragmented, and the API server's /healthz
 * fetched over TLS, under a capture. Each change names how to put it back before it changes
 * anything (so a change that fails halfway is put back too) and returns the commands it ran.
 */
import type { ExecResult, KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from '../probes/commands.ts';
import type { Fetched } from '../probes/https.ts';
import { interfaces, ipv4Addresses } from '../probes/interfaces.ts';
import type { Observation } from '../probes/observation.ts';
import { ping, pingDontFragment } from '../probes/ping.ts';
import { nodeTarget, podTarget, type routerTarget } from '../subjects.ts';
import { subnetOf } from '../topology/clab.ts';
import { hostInterfaceOf } from './lifecycle.ts';
import { apiServer, captureVerbose, fetchFrom, type PacketCapture, type SizedPingSeen } from './mtu.ts';
import { calicoNodes } from './overlay.ts';

/** Sets the Installation's MTU (on a live cluster the operator then rolls calico-node out, node by node). */
export async function setInstallationMtu(cluster: Cluster, mtu: number, keepUndo: KeepUndo): Promise<void> {
  const before = await cluster.installationMtu();
  keepUndo("the Installation's MTU", () => cluster.setInstallationMtu(before));
  await cluster.setInstallationMtu(mtu);
}

/** Sets the MTU of the router's interface on the subnet of `pod`'s node. */
export async function setRouterMtuTowards(
  cluster: Cluster,
  router: ReturnType<typeof routerTarget>,
  pod: PodInfo,
  mtu: number,
  keepUndo: KeepUndo,
): Promise<Observation<void>> {
  const { nodes } = await calicoNodes(cluster);
  const subnet = nodes.find((node) => node.name === pod.node)?.subnet;
  const listed = await interfaces(cluster, router);
  const svi = listed.value.find((iface) => ipv4Addresses(iface).some((cidr) => subnetOf(cidr) === subnet));
  if (!svi) throw new Error(`the router has no interface on ${subnet}`);
  const setMtu = (value: number) => runProbe(cluster, router, ['ip', 'link', 'set', svi.name, 'mtu', String(value)], () => undefined);
  const before = svi.mtu;
  keepUndo(`the router's ${svi.name} MTU`, async () => {
    await setMtu(before);
  });
  const set = await setMtu(mtu);
  return { value: undefined, evidence: [...listed.evidence, ...set.evidence] };
}

/** Sets `net.ipv4.conf.all.rp_filter` on `node`; putting it back also forgets the path MTUs the kernel learnt meanwhile. */
export async function setReversePathFilter(cluster: Cluster, node: string, mode: number, keepUndo: KeepUndo): Promise<Observation<void>> {
  const key = 'net.ipv4.conf.all.rp_filter';
  const on = nodeTarget(node);
  const before = await runProbe(cluster, on, ['sysctl', '-n', key], (text) => text.trim());
  keepUndo(`${key} on ${node}`, async () => {
    await runProbe(cluster, on, ['sysctl', '-w', `${key}=${before.value}`], () => undefined);
    await runProbe(cluster, on, ['ip', 'route', 'flush', 'cache'], () => undefined);
  });
  const set = await runProbe(cluster, on, ['sysctl', '-w', `${key}=${mode}`], () => undefined);
  const evidence: ExecResult[] = [...before.evidence, ...set.evidence];
  return { value: undefined, evidence };
}

/** Sets the reverse-path filter of the control-plane node (the API server's), as `setReversePathFilter` does. */
export async function setControlPlaneReversePathFilter(cluster: Cluster, mode: number, keepUndo: KeepUndo): Promise<Observation<void>> {
  const { node } = await apiServer(cluster);
  return setReversePathFilter(cluster, node, mode, keepUndo);
}

/** A ping to send: its ends, how many requests, and their data size. */
export type SizedPing = Omit<SizedPingSeen, 'observation'>;

/** A sized ping and the capture around it (`ping` is there once the capture has run it). */
export interface SizedPingUnderCapture {
  capture: PacketCapture<unknown>;
  ping: SizedPingSeen | undefined;
}

/**
 * Pings with `sized`, not to be fragmented, while the host side of `on` is captured (ICMP only),
 * a default-size ping first in the same capture: it proves the capture sees the pod's packets.
 * The evidence is the look-up of the host side, then the capture's.
 */
export async function pingSizedWhileHostSideCaptured(
  cluster: Cluster,
  sized: SizedPing,
  on: PodInfo,
): Promise<Observation<SizedPingUnderCapture>> {
  const hostSide = await hostInterfaceOf(cluster, on);
  if (!hostSide.value) throw new Error(`pod ${on.name} has no host-side interface`);
  const iface = hostSide.value;
  let large: SizedPingSeen | undefined;
  const capture = await captureVerbose(
    cluster,
    nodeTarget(on.node),
    iface,
    `${iface} on node ${on.node}`,
    async () => {
      const small = await ping(cluster, podTarget(sized.from), sized.to.ip as string, 1);
      const observation = await pingDontFragment(cluster, podTarget(sized.from), sized.to.ip as string, sized.count, sized.size);
      large = { ...sized, observation };
      return { value: undefined, evidence: [...small.evidence, ...observation.evidence] };
    },
    ['icmp'],
  );
  return { value: { capture, ping: large }, evidence: [...hostSide.evidence, ...capture.evidence], files: capture.files };
}

/** Pings with `sized`, not to be fragmented, while `iface` of `node` is captured. */
export async function pingSizedWhileCaptured(
  cluster: Cluster,
  sized: SizedPing,
  iface: string,
  node: string,
): Promise<Observation<SizedPingUnderCapture>> {
  let seen: SizedPingSeen | undefined;
  const capture = await captureVerbose(cluster, nodeTarget(node), iface, `${iface} of node ${node}`, async () => {
    const observation = await pingDontFragment(cluster, podTarget(sized.from), sized.to.ip as string, sized.count, sized.size);
    seen = { ...sized, observation };
    return observation;
  });
  return { value: { capture, ping: seen }, evidence: capture.evidence, files: capture.files };
}

/** A fetch of the API server's /healthz, with the node it ran on. */
export interface HealthzFetch {
  from: string;
  observation: Observation<Fetched>;
}

/** Fetches the API server's /healthz over TLS from `node`. */
export async function fetchHealthz(cluster: Cluster, node: string): Promise<Observation<HealthzFetch>> {
  const { url } = await apiServer(cluster);
  const observation = await fetchFrom(cluster, node, url);
  return { value: { from: `node ${node}`, observation }, evidence: observation.evidence };
}

/** A fetch of the API server's /healthz and the capture around it. */
export interface HealthzFetchUnderCapture {
  capture: PacketCapture<Fetched>;
  fetch: HealthzFetch;
}

/** Fetches the API server's /healthz over TLS from `node` while `iface` of the control-plane node is captured. */
export async function fetchHealthzWhileCaptured(
  cluster: Cluster,
  node: string,
  iface: string,
): Promise<Observation<HealthzFetchUnderCapture>> {
  const server = await apiServer(cluster);
  const capture = await captureVerbose(cluster, nodeTarget(server.node), iface, `${iface} of node ${server.node}`, () =>
    fetchFrom(cluster, node, server.url),
  );
  return {
    value: { capture, fetch: { from: `node ${node}`, observation: capture.during } },
    evidence: capture.evidence,
    files: capture.files,
  };
}
