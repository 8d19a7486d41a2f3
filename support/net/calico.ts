/** Calico's own rules, which the targets, the lab and the claims all need. */
import { createHash } from 'node:crypto';
import type { Encapsulation } from '../cluster/cluster.ts';

/** Calico's host-side interface name: `cali` + the first 11 hex digits of SHA-1 of `<namespace>.<pod>`. */
export function caliInterfaceName(namespace: string, pod: string): string {
  const digest = createHash('sha1').update(`${namespace}.${pod}`).digest('hex');
  return `cali${digest.slice(0, 11)}`;
}

/** The link-local next hop Calico gives every pod; the host side answers for it by proxy ARP. */
export const CALICO_GATEWAY = '169.254.1.1';
/** The MAC of every host-side cali interface. */
export const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';

/** Bytes each encapsulation adds, which Calico takes off the node MTU for workload interfaces. */
export const ENCAPSULATION_OVERHEAD: Record<Encapsulation, number> = {
  VXLAN: 50,
  VXLANCrossSubnet: 50,
  IPIP: 20,
  IPIPCrossSubnet: 20,
  None: 0,
};

/** Calico creates vxlan.calico (and a tunnel address per node) when a pool uses VXLAN. */
export function usesVxlan(encapsulation: Encapsulation): boolean {
  return encapsulation === 'VXLAN' || encapsulation === 'VXLANCrossSubnet';
}

/**
 * The name Calico's Kubernetes backend gives a BlockAffinity: `<node>-<block CIDR with "." and
 * "/" replaced by "-">` (libcalico-go v3.30.0 backend/k8s/resources/ipam_affinity.go parseKey,
 * names.CIDRToName). Names of 253 characters or more are shortened with a hash upstream; node
 * names of Kind clusters never come near that.
 */
export function blockAffinityName(node: string, cidr: string): string {
  return `${node}-${cidr.replace(/[./:]/g, '-')}`;
}

/** The annotations Calico's CNI plugin reads (cni-plugin/pkg/k8s/k8s.go) and writes on a pod. */
export const POOLS_ANNOTATION = 'cni.projectcalico.org/ipv4pools';
export const IP_ADDRS_ANNOTATION = 'cni.projectcalico.org/ipAddrs';
export const POD_IP_ANNOTATION = 'cni.projectcalico.org/podIP';
export const POD_IPS_ANNOTATION = 'cni.projectcalico.org/podIPs';
export const CONTAINER_ID_ANNOTATION = 'cni.projectcalico.org/containerID';
