/**
 * Calico's record of a pod's endpoint in Kubernetes-datastore mode, read where Calico writes it
 * (Calico v3.30.0, cni-plugin/pkg/k8s: after ADD the plugin patches the pod with the
 * annotations below; libcalico-go IPAM AutoAssign stores the allocation under handle
 * `k8s-pod-network.<containerID>` with attributes namespace, pod, node, timestamp). Used by both
 * targets: the kind target reads the annotations from the API and the blocks from the CRDs; the
 * embedded lab keeps the same facts on its pods and allocations.
 */
import type { IpamBlock, WorkloadEndpoint } from '../domain.ts';

export const CALICO_ANNOTATIONS = {
  containerID: 'cni.projectcalico.org/containerID',
  podIP: 'cni.projectcalico.org/podIP',
  podIPs: 'cni.projectcalico.org/podIPs',
} as const;

/** The IPAM handle Calico's CNI plugin uses for a pod's sandbox. */
export function podHandle(containerID: string): string {
  return `k8s-pod-network.${containerID}`;
}

export interface AnnotatedPod {
  namespace: string;
  name: string;
  hostNetwork: boolean;
  annotations: Record<string, string>;
}

/** One endpoint per pod Calico's CNI plugin annotated (hostNetwork pods have none). */
export function endpointsFromRecords(pods: AnnotatedPod[], blocks: IpamBlock[], source: string): WorkloadEndpoint[] {
  const byHandle = new Map<string, { ip: string; node: string | undefined }>();
  for (const block of blocks) {
    for (const allocation of block.allocations) {
      if (allocation.handle) byHandle.set(allocation.handle, { ip: allocation.ip, node: allocation.attributes?.node });
    }
  }
  return pods
    .filter(
      (pod) => !pod.hostNetwork && (pod.annotations[CALICO_ANNOTATIONS.podIPs] ?? pod.annotations[CALICO_ANNOTATIONS.podIP]) !== undefined,
    )
    .map((pod) => {
      const containerID = pod.annotations[CALICO_ANNOTATIONS.containerID];
      const ips = (pod.annotations[CALICO_ANNOTATIONS.podIPs] ?? pod.annotations[CALICO_ANNOTATIONS.podIP] ?? '')
        .split(',')
        .map((ip) => ip.trim())
        .filter(Boolean);
      const handle = containerID ? podHandle(containerID) : undefined;
      const held = handle ? byHandle.get(handle) : undefined;
      return {
        namespace: pod.namespace,
        pod: pod.name,
        containerID,
        ipNetworks: ips,
        node: held?.node,
        allocation: handle && held ? { handle, ip: held.ip, node: held.node } : undefined,
        interfaceName: undefined,
        source,
      };
    });
}

interface CalicoctlEndpoint {
  metadata?: { namespace?: string };
  spec?: { pod?: string; node?: string; containerID?: string; interfaceName?: string; ipNetworks?: string[] };
}

/**
 * `calicoctl get workloadendpoints --all-namespaces -o json` (a projectcalico.org/v3
 * WorkloadEndpointList, computed by calicoctl from the same records), joined with the IPAM
 * allocation of each endpoint's handle.
 */
export function endpointsFromCalicoctl(json: string, blocks: IpamBlock[]): WorkloadEndpoint[] {
  const parsed = JSON.parse(json) as { items?: CalicoctlEndpoint[] } | CalicoctlEndpoint[];
  const items = Array.isArray(parsed) ? parsed : (parsed.items ?? []);
  const allocations = new Map(
    blocks.flatMap((block) =>
      block.allocations.filter((a) => a.handle).map((a) => [a.handle as string, { ip: a.ip, node: a.attributes?.node }] as const),
    ),
  );
  return items.map((item) => {
    const spec = item.spec ?? {};
    const handle = spec.containerID ? podHandle(spec.containerID) : undefined;
    const held = handle ? allocations.get(handle) : undefined;
    return {
      namespace: item.metadata?.namespace ?? '',
      pod: spec.pod ?? '',
      containerID: spec.containerID,
      ipNetworks: spec.ipNetworks ?? [],
      node: spec.node,
      allocation: handle && held ? { handle, ip: held.ip, node: held.node } : undefined,
      interfaceName: spec.interfaceName,
      source: 'calicoctl get workloadendpoints',
    };
  });
}
