/**
 * Pure translations of Services and EndpointSlices (as @kubernetes/client-node returns them) into
 * the port's types. Checked against the API types of @kubernetes/client-node (V1Service,
 * V1ServicePort, V1LoadBalancerIngress, V1EndpointSlice, DiscoveryV1EndpointPort) and what the API
 * server's defaulting fills in: a field the server always sets (a Service's type, a port's
 * protocol and targetPort) is read with the server's default when a hand-made object lacks it; a
 * field without which the reading would be wrong (a name, a port number, an ingress with neither
 * ip nor hostname, an address type or a protocol outside the API's enum) is refused.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { EndpointSliceInfo, ServiceInfo } from '../../domain.ts';
import { ParseError } from '../../parse/errors.ts';

const SERVICE_TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const ADDRESS_TYPES = new Set(['IPv4', 'IPv6', 'FQDN']);

function refuse(parser: string, reason: string, part: unknown): never {
  throw new ParseError(parser, reason, JSON.stringify(part) ?? String(part));
}

function portNumber(parser: string, value: unknown, what: string, part: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
    ? value
    : refuse(parser, `${what} ${JSON.stringify(value)} is not a port number`, part);
}

function protocolOf(parser: string, protocol: string | undefined, part: unknown): string {
  if (protocol === undefined) return 'TCP'; // the API server's default
  return PROTOCOLS.has(protocol) ? protocol : refuse(parser, `protocol "${protocol}" is not TCP, UDP or SCTP`, part);
}

export function parseService(service: V1Service): ServiceInfo {
  const spec = service.spec ?? {};
  const parser = 'parseService';
  const name = service.metadata?.name || refuse(parser, 'a Service without metadata.name', service.metadata);
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.has(type)) refuse(parser, `Service ${name} of type "${type}", which is not one of the API's`, spec);
  return {
    namespace: service.metadata?.namespace || refuse(parser, `Service ${name} without metadata.namespace`, service.metadata),
    name,
    type,
    clusterIP: spec.clusterIP ?? '',
    externalIPs: spec.externalIPs ?? [],
    // The ingress addresses: a cloud load balancer's hostname-only ingress (valid API data) has none to give.
    loadBalancerIngress: (service.status?.loadBalancer?.ingress ?? []).flatMap((ingress) =>
      ingress.ip
        ? [ingress.ip]
        : ingress.hostname
          ? []
          : refuse(parser, `Service ${name}: a load-balancer ingress with neither ip nor hostname`, ingress),
    ),
    ports: (spec.ports ?? []).map((port) => {
      const number = portNumber(parser, port.port, `Service ${name}: port`, port);
      return {
        name: port.name || undefined,
        port: number,
        protocol: protocolOf(parser, port.protocol, port),
        // IntOrString: a number, or the name of a container port; absent, the server sets it to the port.
        targetPort:
          port.targetPort === undefined
            ? number
            : typeof port.targetPort === 'number'
              ? portNumber(parser, port.targetPort, `Service ${name}: targetPort`, port)
              : /^\d+$/.test(String(port.targetPort))
                ? portNumber(parser, Number(port.targetPort), `Service ${name}: targetPort`, port)
                : String(port.targetPort),
        nodePort: port.nodePort === undefined ? undefined : portNumber(parser, port.nodePort, `Service ${name}: nodePort`, port),
      };
    }),
    selector: spec.selector ? { ...spec.selector } : undefined,
    labels: { ...(service.metadata?.labels ?? {}) },
  };
}

export function parseEndpointSlice(slice: V1EndpointSlice): EndpointSliceInfo {
  const parser = 'parseEndpointSlice';
  const name = slice.metadata?.name || refuse(parser, 'an EndpointSlice without metadata.name', slice.metadata);
  if (!ADDRESS_TYPES.has(slice.addressType))
    refuse(parser, `EndpointSlice ${name} of addressType "${slice.addressType}"`, slice.addressType);
  return {
    namespace: slice.metadata?.namespace || refuse(parser, `EndpointSlice ${name} without metadata.namespace`, slice.metadata),
    name,
    labels: { ...(slice.metadata?.labels ?? {}) },
    addressType: slice.addressType,
    endpoints: (slice.endpoints ?? []).map((endpoint) => ({
      addresses:
        Array.isArray(endpoint.addresses) && endpoint.addresses.length > 0
          ? [...endpoint.addresses]
          : refuse(parser, `EndpointSlice ${name}: an endpoint without addresses`, endpoint),
      // discovery.k8s.io/v1: a nil ready condition means ready.
      ready: endpoint.conditions?.ready !== false,
      hostname: endpoint.hostname,
      nodeName: endpoint.nodeName,
      targetRef: endpoint.targetRef?.name
        ? { kind: endpoint.targetRef.kind ?? 'Pod', namespace: endpoint.targetRef.namespace, name: endpoint.targetRef.name }
        : undefined,
    })),
    // An EndpointPort without a port number means "every port" (discovery.k8s.io/v1); kept as undefined.
    ports: (slice.ports ?? []).map((port) => ({
      name: port.name || undefined,
      port: port.port === undefined ? undefined : portNumber(parser, port.port, `EndpointSlice ${name}: port`, port),
      protocol: port.protocol === undefined ? undefined : protocolOf(parser, port.protocol, port),
    })),
  };
}
