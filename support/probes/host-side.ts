/**
 * The pod's veth pair as the kernel shows it: the pod's eth0 and, on the pod's node, the
 * interface whose index eth0's `@ifN` names. Ground truth for the host-side claims.
 */
import type { Cluster, ExecResult, PodInfo } from '../cluster/cluster.ts';
import { interfaceNamed, interfaces, ipv4Addresses } from './interfaces.ts';
import type { Interface } from './parse/ip-addr.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

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
