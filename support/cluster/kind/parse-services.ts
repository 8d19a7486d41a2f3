/** Pure translations of Services and EndpointSlices (as @kubernetes/client-node returns them) into the port's types. */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { EndpointSliceInfo, ServiceInfo } from '../cluster.ts';

export function parseService(service: V1Service): ServiceInfo {
  const spec = service.spec ?? {};
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    type: spec.type ?? 'ClusterIP',
    clusterIP: spec.clusterIP ?? '',
    externalIPs: spec.externalIPs ?? [],
    loadBalancerIngress: (service.status?.loadBalancer?.ingress ?? []).flatMap((ingress) => (ingress.ip ? [ingress.ip] : [])),
    ports: (spec.ports ?? []).map((port) => ({
      name: port.name || undefined,
      port: port.port,
      protocol: port.protocol ?? 'TCP',
      targetPort:
        port.targetPort === undefined
          ? port.port
          : typeof port.targetPort === 'number'
            ? port.targetPort
            : /^\d+$/.test(String(port.targetPort))
              ? Number(port.targetPort)
              : String(port.targetPort),
      nodePort: port.nodePort,
    })),
    selector: spec.selector ? { ...spec.selector } : undefined,
    labels: { ...(service.metadata?.labels ?? {}) },
  };
}

export function parseEndpointSlice(slice: V1EndpointSlice): EndpointSliceInfo {
  return {
    namespace: slice.metadata?.namespace ?? '',
    name: slice.metadata?.name ?? '',
    labels: { ...(slice.metadata?.labels ?? {}) },
    addressType: slice.addressType,
    endpoints: (slice.endpoints ?? []).map((endpoint) => ({
      addresses: [...endpoint.addresses],
      // discovery.k8s.io/v1: a nil ready condition means ready.
      ready: endpoint.conditions?.ready !== false,
      hostname: endpoint.hostname,
      nodeName: endpoint.nodeName,
      targetRef: endpoint.targetRef?.name
        ? { kind: endpoint.targetRef.kind ?? 'Pod', namespace: endpoint.targetRef.namespace, name: endpoint.targetRef.name }
        : undefined,
    })),
    ports: (slice.ports ?? []).map((port) => ({ name: port.name || undefined, port: port.port, protocol: port.protocol })),
  };
}
