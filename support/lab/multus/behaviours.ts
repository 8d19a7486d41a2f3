/**
 * How the lab's Multus and its Whereabouts stand-in misbehave under a fault (faults.ts applies
 * them by name): what IPAM is asked, what the plugin is handed, what ends up inside the pod.
 */
import { intToIp, ipToInt, parseCidr, formatCidr } from '../../net/cidr.ts';
import type { LabState, SecondaryNetwork } from '../model.ts';
import type { NadSpec } from './nad.ts';
import type { AllocationRequest } from './whereabouts.ts';

export const GATEWAY_HANDED_OUT_FAULT = 'whereabouts-gateway-handed-out';
export const NODE_LOCAL_IPAM_FAULT = 'whereabouts-node-local';
export const DEFAULT_ROUTE_FAULT = 'macvlan-default-route';
export const NAT_FAULT = 'macvlan-snat';

export interface MultusBehaviour {
  /** What the IPAM is asked for a NAD, given the addresses held. */
  ipam(nad: NadSpec, held: string[]): AllocationRequest;
  /** Each node allocates on its own, as host-local would. */
  nodeLocal: boolean;
  /** Fields of the NAD's configuration the plugin is handed differently. */
  overrides(nad: NadSpec): { master?: string };
  /** Shell lines run in the pod after ADD. */
  inPod(nad: NadSpec, secondary: SecondaryNetwork): string[];
}

/** A second address on net1 and a SNAT to it: the pings still come back (to that address), translated. */
function natLines(secondary: SecondaryNetwork): string[] {
  const [ip, prefix] = secondary.cidr.split('/') as [string, string];
  const other = intToIp(ipToInt(ip) + 50);
  return [
    `ip addr add ${other}/${prefix} dev ${secondary.ifname}`,
    `iptables -t nat -A POSTROUTING -o ${secondary.ifname} -j SNAT --to-source ${other}`,
  ];
}

export const MULTUS_BEHAVIOURS = {
  from(state: LabState): MultusBehaviour {
    const has = (fault: string) => state.faults.includes(fault);
    return {
      ipam: (nad, held) =>
        has(GATEWAY_HANDED_OUT_FAULT)
          ? // The whole subnet from its first host on, nothing excluded: the gateway .1 goes first.
            { range: formatCidr(parseCidr(nad.ipam.range.replace(/^.*-/, ''), { loose: true })), exclude: [], gateway: undefined, held }
          : { range: nad.ipam.range, exclude: nad.ipam.exclude, gateway: nad.ipam.gateway, held },
      nodeLocal: has(NODE_LOCAL_IPAM_FAULT),
      overrides: () => ({}),
      inPod: (nad, secondary) => [
        ...(has(DEFAULT_ROUTE_FAULT) && nad.ipam.gateway
          ? [`ip route replace default via ${nad.ipam.gateway} dev ${secondary.ifname}`]
          : []),
        ...(has(NAT_FAULT) ? natLines(secondary) : []),
      ],
    };
  },
};
