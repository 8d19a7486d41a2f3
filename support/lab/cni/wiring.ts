/**
 * What Calico's CNI plugin wires for one pod, as `ip -batch` lines: the cali veth on the
 * node (MAC ee:ee:ee:ee:ee:ee, /32 host route, proxy ARP) and, in the pod, eth0 with one /32
 * and exactly the two routes through 169.254.1.1; plus the resolv.conf the kubelet writes.
 */
import { CALICO_GATEWAY, CALICO_HOST_MAC as CALICO_MAC } from '../../net/calico.ts';
import type { Batch } from '../kernel.ts';
import { nodeResolvConf } from '../dns/upstream.ts';
import type { LabNode, LabPod, LabState } from '../model.ts';

/** Calico's host side of one pod: the cali veth (its peer is the pod's eth0) and the /32 host route. */
export function podHostSideLines(state: LabState, pod: LabPod): string[] {
  const cali = pod.hostInterface as string;
  return [
    `link add ${cali} mtu ${state.mtu} type veth peer name eth0 mtu ${state.mtu} netns ${pod.netns}`,
    `link set ${cali} address ${CALICO_MAC}`,
    `link set ${cali} up`,
    // replace, not add: a second pod holding the same address (a fault) takes the route over, as an overwriting CNI would.
    `route replace ${pod.ip} dev ${cali} scope link`,
  ];
}

/** The pod's side: eth0 with one /32, and exactly the two routes through Calico's link-local gateway. */
export function podBatch(pod: LabPod): Batch {
  return {
    netns: pod.netns,
    lines: [
      'link set lo up',
      'link set eth0 up',
      `addr add ${pod.ip}/32 dev eth0`,
      `route add ${CALICO_GATEWAY} dev eth0 scope link`,
      `route add default via ${CALICO_GATEWAY} dev eth0`,
    ],
  };
}

/** Kernel settings of a node: forwarding on, and on every cali interface proxy ARP answering at once. */
export function nodeSysctls(state: LabState, node: LabNode, pods: LabPod[] = state.pods): string[] {
  return [
    ...(pods === state.pods ? ['net.ipv4.ip_forward=1'] : []),
    ...pods.filter((pod) => pod.node === node.name && !pod.hostNetwork).flatMap((pod) => caliSysctls(pod.hostInterface as string)),
  ];
}

function caliSysctls(cali: string): string[] {
  return [`net.ipv4.conf.${cali}.proxy_arp=1`, `net.ipv4.neigh.${cali}.proxy_delay=0`, `net.ipv4.conf.${cali}.forwarding=1`];
}

/** The pod's resolv.conf, as the kubelet writes it for ClusterFirst DNS. */
export function resolvConf(state: LabState, pod: LabPod): string {
  if (pod.dnsPolicy === 'Default') return nodeResolvConf(state);
  const search = [`${pod.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
  return `search ${search.join(' ')}\nnameserver ${state.dnsServiceIP}\noptions ndots:5\n`;
}
