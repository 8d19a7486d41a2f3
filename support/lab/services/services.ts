/**
 * Services and EndpointSlices as the API server and the EndpointSlice controller hold them.
 *
 * - ClusterIPs come from the Service CIDR the way kube-apiserver v1.28 allocates them
 *   (pkg/registry/core/service/ipallocator: the bitmap starts at the range's first host
 *   address; `calculateRangeOffset` reserves a lower band of min(max(16, size/16), 256)
 *   addresses for static requests, and dynamic allocation takes a random free address of the
 *   upper band first, the lower band only when the upper one is full).
 * - kubeadm asks for `kubernetes` = the first host address and `kube-dns` = the tenth.
 * - An EndpointSlice lists every pod of the Service's namespace that matches its selector and
 *   has an address (pkg/controller/endpointslice: conditions.ready = the pod's Ready
 *   condition; ports by name, targetPort resolved per pod; hostname only for a pod with
 *   spec.hostname and a subdomain equal to the Service's name).
 *
 * Pure data and pure functions: the rules kube-proxy writes and the answers the cluster DNS
 * gives are computed from these by their own modules.
 */
import { intToIp, nthAddress, parseCidr } from '../../net/cidr.ts';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type ServiceProtocol = 'TCP' | 'UDP';

export interface ServicePortSpec {
  name?: string;
  port: number;
  protocol: ServiceProtocol;
  /** A number, or the name of a container port. */
  targetPort: number | string;
  /** NodePort/LoadBalancer only. */
  nodePort?: number;
}

/** A Service as a manifest asks for it (spec.clusterIP absent, an address, or 'None' for headless). */
export interface ServiceSpec {
  namespace: string;
  name: string;
  type: ServiceType;
  clusterIP?: string;
  ports: ServicePortSpec[];
  /** Undefined: a Service without a selector (no EndpointSlices are managed for it). */
  selector: Record<string, string> | undefined;
  labels: Record<string, string>;
}

/** A Service as the API server holds it: with its ClusterIP (or 'None'). */
export interface LabService extends Omit<ServiceSpec, 'clusterIP'> {
  clusterIP: string;
  /** The generated name of its one EndpointSlice (`<service>-<5 chars>`), fixed at creation. */
  endpointSliceName: string;
  /** status.loadBalancer.ingress[0].ip, once a LoadBalancer IPAM gave the (LoadBalancer) Service one. */
  loadBalancerIP?: string;
}

export const HEADLESS = 'None';

/** The named container ports of a pod, for resolving a Service's named targetPort. */
export type PodPorts = Record<string, { port: number; protocol: ServiceProtocol }>;

/** What an EndpointSlice needs to know of a pod. */
export interface EndpointPod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  ready?: boolean;
  hostname?: string;
  subdomain?: string;
  ports?: PodPorts;
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName: string;
  /** Absent for an endpoint that is no pod (the API server's, in the kubernetes Service's slice). */
  targetRef?: { kind: 'Pod'; namespace: string; name: string };
}

export interface EndpointSlicePort {
  name: string;
  port: number;
  protocol: ServiceProtocol;
}

export interface LabEndpointSlice {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  addressType: 'IPv4';
  endpoints: EndpointSliceEndpoint[];
  ports: EndpointSlicePort[];
}

/** kubeadm's Services, present on every cluster it builds (cmd/kubeadm/app/phases/addons). */
export function builtInServiceSpecs(): ServiceSpec[] {
  return [
    {
      namespace: 'default',
      name: 'kubernetes',
      type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      selector: undefined,
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      type: 'ClusterIP',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      selector: { 'k8s-app': 'kube-dns' },
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
  ];
}

/** The fixed addresses kubeadm requests: `kubernetes` the first host address, `kube-dns` the tenth. */
export function kubeadmClusterIP(serviceCidr: string, service: Pick<ServiceSpec, 'namespace' | 'name'>): string | undefined {
  const cidr = parseCidr(serviceCidr);
  if (service.namespace === 'default' && service.name === 'kubernetes') return nthAddress(cidr, 1);
  if (service.namespace === 'kube-system' && service.name === 'kube-dns') return nthAddress(cidr, 10);
  return undefined;
}

/** Size of the lower band kept for static ClusterIPs (ipallocator's calculateRangeOffset). */
export function staticBandSize(serviceCidr: string): number {
  const hosts = parseCidr(serviceCidr).size - 2;
  if (hosts < 16) return 0;
  return Math.min(256, Math.max(16, Math.floor(hosts / 16)));
}

/**
 * A free ClusterIP, as the apiserver's allocator picks one: a random free offset of the upper
 * band, else of the lower band. `random(n)` returns an integer in [0, n).
 */
export function allocateClusterIP(serviceCidr: string, taken: Iterable<string>, random: (max: number) => number): string {
  const cidr = parseCidr(serviceCidr);
  const hosts = cidr.size - 2;
  const used = new Set(taken);
  const band = staticBandSize(serviceCidr);
  const addressAt = (offset: number) => intToIp(cidr.base + 1 + offset);
  for (const [from, to] of [
    [band, hosts],
    [0, band],
  ] as const) {
    const free: number[] = [];
    const size = to - from;
    if (size <= 0) continue;
    // Start at a random offset and scan on, as the bitmap allocator does.
    const start = random(size);
    for (let i = 0; i < size; i++) {
      const offset = from + ((start + i) % size);
      if (!used.has(addressAt(offset))) {
        free.push(offset);
        break;
      }
    }
    if (free.length) return addressAt(free[0]!);
  }
  throw new Error(`the Service CIDR ${serviceCidr} is full`);
}

/** The API server's default --service-node-port-range. */
export const NODE_PORT_RANGE = { first: 30000, last: 32767 };

/**
 * A free nodePort, as kube-apiserver v1.28 picks one (pkg/registry/core/service/portallocator:
 * the range's lower band of min(max(16, size/32), 128) ports is kept for static requests; a
 * dynamic port is a random free one of the upper band first). `random(n)` returns [0, n).
 */
export function allocateNodePort(taken: Iterable<number>, random: (max: number) => number): number {
  const size = NODE_PORT_RANGE.last - NODE_PORT_RANGE.first + 1;
  const band = Math.min(128, Math.max(16, Math.floor(size / 32)));
  const used = new Set(taken);
  for (const [from, to] of [
    [band, size],
    [0, band],
  ] as const) {
    const span = to - from;
    const start = random(span);
    for (let i = 0; i < span; i++) {
      const port = NODE_PORT_RANGE.first + from + ((start + i) % span);
      if (!used.has(port)) return port;
    }
  }
  throw new Error(`the node port range ${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last} is full`);
}

/** A NodePort or LoadBalancer Service's ports, each with its requested nodePort or one allocated. */
function withNodePorts(spec: ServiceSpec, services: LabService[], random: (max: number) => number): ServicePortSpec[] {
  if (spec.type === 'ClusterIP') return spec.ports;
  const taken = services.flatMap((service) => service.ports.flatMap((port) => (port.nodePort ? [port.nodePort] : [])));
  return spec.ports.map((port) => {
    if (port.nodePort !== undefined) return port;
    const nodePort = allocateNodePort(taken, random);
    taken.push(nodePort);
    return { ...port, nodePort };
  });
}

/** Admits Services in order: kubeadm's fixed addresses, a requested address, 'None', or one allocated. */
export function admitServices(
  serviceCidr: string,
  specs: ServiceSpec[],
  random: (max: number) => number,
  sliceName: (service: string) => string,
  existing: LabService[] = [],
): LabService[] {
  const services = [...existing];
  for (const spec of specs) {
    if (services.some((s) => s.namespace === spec.namespace && s.name === spec.name)) {
      throw new Error(`Service ${spec.namespace}/${spec.name} is defined twice`);
    }
    const requested = spec.clusterIP ?? kubeadmClusterIP(serviceCidr, spec);
    let clusterIP: string;
    if (requested === HEADLESS) clusterIP = HEADLESS;
    else if (requested) {
      if (services.some((s) => s.clusterIP === requested))
        throw new Error(`ClusterIP ${requested} of Service ${spec.namespace}/${spec.name} is already allocated`);
      clusterIP = requested;
    } else
      clusterIP = allocateClusterIP(
        serviceCidr,
        services.map((s) => s.clusterIP),
        random,
      );
    const { clusterIP: _requested, ...rest } = spec;
    services.push({ ...rest, ports: withNodePorts(spec, services, random), clusterIP, endpointSliceName: sliceName(spec.name) });
  }
  return services;
}

export function isHeadless(service: Pick<LabService, 'clusterIP'>): boolean {
  return service.clusterIP === HEADLESS;
}

export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The port a Service port reaches on one pod: the number, or the pod's container port of that name. */
function resolveTargetPort(port: ServicePortSpec, pod: EndpointPod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  const named = pod.ports?.[port.targetPort];
  return named && named.protocol === port.protocol ? named.port : undefined;
}

/**
 * The Service's EndpointSlice: the pods of its namespace that match its selector and have an
 * address, ready or not (conditions say which). Undefined for a Service without a selector.
 */
export function endpointSliceOf(service: LabService, pods: EndpointPod[]): LabEndpointSlice | undefined {
  const selector = service.selector;
  if (!selector) return undefined;
  const members = pods.filter((pod) => pod.namespace === service.namespace && pod.ip && selectorMatches(selector, pod.labels));
  // The controller slices by the resolved port set; with numeric targetPorts (all this lab's fixtures) there is one.
  const sample = members[0];
  const ports: EndpointSlicePort[] = service.ports.flatMap((port) => {
    const target = sample ? resolveTargetPort(port, sample) : typeof port.targetPort === 'number' ? port.targetPort : undefined;
    return target === undefined ? [] : [{ name: port.name ?? '', port: target, protocol: port.protocol }];
  });
  return {
    namespace: service.namespace,
    name: service.endpointSliceName,
    labels: { 'kubernetes.io/service-name': service.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    addressType: 'IPv4',
    endpoints: members.map((pod) => {
      const ready = pod.ready !== false;
      return {
        addresses: [pod.ip],
        conditions: { ready, serving: ready, terminating: false },
        ...(pod.hostname && pod.subdomain === service.name ? { hostname: pod.hostname } : {}),
        nodeName: pod.node,
        targetRef: { kind: 'Pod' as const, namespace: pod.namespace, name: pod.name },
      };
    }),
    ports,
  };
}

/**
 * The `kubernetes` Service's slice, which the API server keeps itself (its endpoint reconciler):
 * the control-plane's address and the secure port 6443.
 */
export function apiserverEndpointSlice(controlPlane: { name: string; ip: string }): LabEndpointSlice {
  return {
    namespace: 'default',
    name: 'kubernetes',
    labels: {
      'kubernetes.io/service-name': 'kubernetes',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    },
    addressType: 'IPv4',
    endpoints: [
      { addresses: [controlPlane.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: controlPlane.name },
    ],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };
}

/** The ready endpoints of a slice, as kube-proxy and the cluster DNS use them. */
export function readyAddresses(slice: LabEndpointSlice | undefined): string[] {
  return (slice?.endpoints ?? []).filter((endpoint) => endpoint.conditions.ready).flatMap((endpoint) => endpoint.addresses);
}

export function findService(services: LabService[], namespace: string, name: string): LabService | undefined {
  return services.find((service) => service.namespace === namespace && service.name === name);
}
