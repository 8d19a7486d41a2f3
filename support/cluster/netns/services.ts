/** The lab's Services and EndpointSlices as the port's ServiceInfo and EndpointSliceInfo. */
import type { EndpointSliceInfo, ServiceInfo } from '../../domain.ts';
import type { LabEndpointSlice, LabService } from '../../lab/services/services.ts';

export function serviceInfo(service: LabService): ServiceInfo {
  return {
    namespace: service.namespace,
    name: service.name,
    type: service.type,
    clusterIP: service.clusterIP,
    externalIPs: [],
    loadBalancerIngress: service.loadBalancerIP ? [service.loadBalancerIP] : [],
    ports: service.ports.map((port) => ({
      name: port.name,
      port: port.port,
      protocol: port.protocol,
      targetPort: port.targetPort,
      nodePort: port.nodePort,
    })),
    selector: service.selector ? { ...service.selector } : undefined,
    labels: { ...service.labels },
  };
}

export function endpointSliceInfo(slice: LabEndpointSlice): EndpointSliceInfo {
  return {
    namespace: slice.namespace,
    name: slice.name,
    labels: { ...slice.labels },
    addressType: slice.addressType,
    endpoints: slice.endpoints.map((endpoint) => ({
      addresses: [...endpoint.addresses],
      ready: endpoint.conditions.ready,
      hostname: endpoint.hostname,
      nodeName: endpoint.nodeName,
      targetRef: endpoint.targetRef ? { ...endpoint.targetRef } : undefined,
    })),
    ports: slice.ports.map((port) => ({ name: port.name || undefined, port: port.port, protocol: port.protocol })),
  };
}
