/**
 * Calico's facts, in one place: the wiring of the embedded lab, the claims, the runbooks and
 * the path picture all read them from here. Sources: Calico v3.30 cni-plugin
 * (pkg/dataplane/linux/dataplane_linux.go: the host veth's MAC, the 169.254.1.1 gateway and
 * proxy ARP), felix (the VXLAN and WireGuard device names, the VXLAN MTU overhead) and the calico-node install
 * (the CNI configuration's file name).
 */
import { createHash } from 'node:crypto';

/** How an IP pool carries traffic between nodes (the IPPool's and the Installation's encapsulation). */
export type Encapsulation = 'VXLAN' | 'VXLANCrossSubnet' | 'IPIP' | 'IPIPCrossSubnet' | 'None';

/** The link-local next hop of every pod's routes, answered by proxy ARP on the host veth. */
export const CALICO_GATEWAY = '169.254.1.1';

/** The MAC address Calico gives every host-side veth. */
export const CALICO_HOST_MAC = 'ee:ee:ee:ee:ee:ee';

/** Felix's VXLAN device on every node. */
export const VXLAN_DEVICE = 'vxlan.calico';

/** Felix's WireGuard device on every node, and the UDP port it listens on (WireguardListeningPort's default). */
export const WIREGUARD_DEVICE = 'wireguard.cali';
export const WIREGUARD_PORT = 51820;

/** The CNI configuration Calico installs; the runtime uses the first file of /etc/cni/net.d. */
export const CALICO_CNI_CONFIG = '10-calico.conflist';

/** The files of /etc/cni/net.d a runtime reads as configurations. */
export const CNI_CONFIG_EXTENSIONS = /\.(conflist|conf|json)$/;

/** Calico's host-side interface name: `cali` + the first 11 hex digits of SHA-1 of `<namespace>.<pod>`. */
export function caliInterfaceName(namespace: string, pod: string): string {
  const digest = createHash('sha1').update(`${namespace}.${pod}`).digest('hex');
  return `cali${digest.slice(0, 11)}`;
}

/** Bytes each encapsulation adds, which Calico takes off the node MTU for workload interfaces. */
export const ENCAPSULATION_OVERHEAD: Record<Encapsulation, number> = {
  VXLAN: 50,
  VXLANCrossSubnet: 50,
  IPIP: 20,
  IPIPCrossSubnet: 20,
  None: 0,
};

/** Every encapsulation an IP pool (or the operator's Installation) can name. */
export const ENCAPSULATIONS = Object.keys(ENCAPSULATION_OVERHEAD) as readonly Encapsulation[];

/** The VXLAN header and its outer IPv4/UDP/Ethernet headers: what vxlan.calico's MTU leaves room for. */
export const VXLAN_OVERHEAD = ENCAPSULATION_OVERHEAD.VXLAN;

/** Calico creates vxlan.calico (and a tunnel address per node) when a pool uses VXLAN. */
export function usesVxlan(encapsulation: Encapsulation): boolean {
  return encapsulation === 'VXLAN' || encapsulation === 'VXLANCrossSubnet';
}

/** Felix's default mtuIfacePattern: the host interfaces whose MTU it takes the smallest of (felix/config/config_params.go, v3.30.0). */
export const MTU_IFACE_PATTERN = /^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)/;

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

/**
 * The IFB device Felix shapes a pod's egress on (felix/dataplane/linux/qos/qos.go
 * GetIfbDeviceName): `bwcali` and the SHA-1 of the workload interface's name in hex, cut to 15
 * characters (the CNI plugins' utils.MustFormatHashWithPrefix).
 */
export function ifbDeviceName(workloadInterface: string): string {
  return `bwcali${createHash('sha1').update(workloadInterface).digest('hex')}`.slice(0, 15);
}
