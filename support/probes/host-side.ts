/**
 * The pod's veth pair as the kernel shows it: the pod's eth0 and, on the pod's node, the
 * interface whose index eth0's `@ifN` names. Ground truth for the host-side claims.
 */
import { EnvironmentError, type ExecResult, type ExecTarget, type PodInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from './interfaces.ts';
import type { Interface } from '../parse/ip-addr.ts';
import { nodeTarget, nodeToolsTarget, podTarget } from '../subjects.ts';

export interface HostSide {
  eth0: Interface | undefined;
  /** The node's end of the pair, found by index. */
  host: Interface | undefined;
  /** eth0's IPv4 addresses as CIDRs. */
  podAddresses: string[];
  evidence: ExecResult[];
}

export async function hostSideOf(cluster: Cluster, pod: PodInfo): Promise<HostSide> {
  const [inPod, onNode] = await Promise.all([interfaces(cluster, podTarget(pod)), interfaces(cluster, nodeTarget(pod.node))]);
  const eth0 = interfaceNamed(inPod.value, 'eth0');
  const host = eth0?.peerIndex === undefined ? undefined : onNode.value.find((candidate) => candidate.index === eth0.peerIndex);
  return { eth0, host, podAddresses: eth0 ? ipv4Addresses(eth0) : [], evidence: [...inPod.evidence, ...onNode.evidence] };
}

/** Where a capture listens: an interface of a target. */
export interface CapturePoint {
  target: ExecTarget;
  iface: string;
}

/**
 * Where a pod's own traffic is captured when its image has no tcpdump (nginx:stable is Debian
 * slim with nginx and curl; redis:7-alpine is busybox and redis): the host side of its veth, on
 * its node, with the tools image (support/subjects.ts nodeToolsTarget). Every packet to or from
 * the pod crosses that interface as the pod sends or receives it, addresses unchanged. The pod's
 * eth0 names its peer's index in sysfs (`cat` is in every image); the node's list finds it.
 */
export async function hostSideCapturePoint(cluster: Cluster, pod: PodInfo): Promise<Observation<CapturePoint>> {
  const [point] = await hostSideCapturePoints(cluster, [pod]);
  return point as Observation<CapturePoint>;
}

/** The capture points of several pods, in their order: each node's interfaces are listed once. */
export async function hostSideCapturePoints(cluster: Cluster, pods: PodInfo[]): Promise<Observation<CapturePoint>[]> {
  const nodes = [...new Set(pods.map((pod) => pod.node))];
  const [peers, listed] = await Promise.all([
    Promise.all(
      pods.map((pod) =>
        runProbe(cluster, podTarget(pod), ['cat', '/sys/class/net/eth0/iflink'], (text) => {
          const index = Number(text.trim());
          if (!Number.isInteger(index) || index <= 0) throw new Error(`expected eth0's peer index, got "${text.trim()}"`);
          return index;
        }),
      ),
    ),
    Promise.all(nodes.map((node) => interfaces(cluster, nodeTarget(node)))),
  ]);
  return pods.map((pod, index) => {
    const peer = peers[index] as (typeof peers)[number];
    const onNode = listed[nodes.indexOf(pod.node)] as (typeof listed)[number];
    const host = onNode.value.find((candidate) => candidate.index === peer.value);
    if (!host)
      throw new EnvironmentError(
        `pod ${pod.namespace}/${pod.name}: node ${pod.node} has no interface with index ${peer.value} (its eth0's peer)`,
        'check that the pod is still running on that node',
      );
    return { value: { target: nodeToolsTarget(pod.node), iface: host.name }, evidence: [...peer.evidence, ...onNode.evidence] };
  });
}
