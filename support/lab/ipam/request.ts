/**
 * What a pod's annotations ask of Calico IPAM, read as the CNI plugin reads them
 * (cni-plugin/pkg/k8s/k8s.go, Calico v3.30.0): `cni.projectcalico.org/ipAddrs` (a JSON list; at
 * most one IPv4 address) asks for that address through AssignIP; otherwise
 * `cni.projectcalico.org/ipv4pools` (a JSON list of pool names or CIDRs) narrows automatic
 * assignment to those pools. And what the plugin writes back on the pod once it has an address.
 */
import { randomBytes } from 'node:crypto';
import { CONTAINER_ID_ANNOTATION, IP_ADDRS_ANNOTATION, POD_IP_ANNOTATION, POD_IPS_ANNOTATION, POOLS_ANNOTATION } from '../../net/calico.ts';
import { IpamAssignError } from './ipam.ts';

export type IpamRequest = { kind: 'auto'; pools?: string[] } | { kind: 'explicit'; ip: string };

function jsonList(annotation: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new IpamAssignError(`failed to parse annotation ${annotation}: ${text} is not a JSON list`);
  }
  if (!Array.isArray(value)) throw new IpamAssignError(`failed to parse annotation ${annotation}: ${text} is not a JSON list`);
  return value.map(String);
}

export function ipamRequestOf(annotations: Record<string, string> = {}): IpamRequest {
  const addrs = annotations[IP_ADDRS_ANNOTATION];
  if (addrs !== undefined && addrs !== '') {
    const v4 = jsonList(IP_ADDRS_ANNOTATION, addrs).filter((ip) => !ip.includes(':'));
    // validateAndExtractIPs: one IPv4 address at most.
    if (v4.length !== 1) throw new IpamAssignError(`cannot have more than one IPv4 address for "${IP_ADDRS_ANNOTATION}" annotation`);
    return { kind: 'explicit', ip: v4[0] as string };
  }
  const pools = annotations[POOLS_ANNOTATION];
  if (pools !== undefined && pools !== '') return { kind: 'auto', pools: jsonList(POOLS_ANNOTATION, pools) };
  return { kind: 'auto' };
}

/** A container ID as the runtime makes them: 64 hex digits. */
export function newContainerID(): string {
  return randomBytes(32).toString('hex');
}

/** The IPAM handle of a pod's allocation: `<network name>.<container ID>` (utils.GetHandleID). */
export function handleOf(containerID: string): string {
  return `k8s-pod-network.${containerID}`;
}

/** The annotations Calico's CNI plugin writes on the pod after ADD (through the WorkloadEndpoint). */
export function calicoPodAnnotations(ip: string, containerID: string): Record<string, string> {
  return { [CONTAINER_ID_ANNOTATION]: containerID, [POD_IP_ANNOTATION]: `${ip}/32`, [POD_IPS_ANNOTATION]: `${ip}/32` };
}
