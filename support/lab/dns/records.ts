/**
 * The answers of CoreDNS's kubernetes plugin, as a pure function of the cluster's Services and
 * EndpointSlices. Follows coredns/coredns v1.14.7 (plugin/kubernetes/parse.go parseRequest,
 * kubernetes.go findServices/findPods, handler.go ServeDNS; plugin/backend_lookup.go A, SRV,
 * SOA, BackendError) with the Corefile kubeadm writes: `kubernetes cluster.local in-addr.arpa
 * ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`.
 *
 * - `<svc>.<ns>.svc.<zone>`: a ClusterIP Service's address; a headless Service's ready
 *   endpoint addresses, one A record each.
 * - `<endpoint>.<svc>.<ns>.svc.<zone>`: the endpoint whose hostname (else dashed IP) matches.
 * - `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV: one record per matching (endpoint, port);
 *   priority 0, weight ⌊100/n⌋, target the endpoint's (headless) or the Service's name; the
 *   targets' A records in the additional section.
 * - `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` (pods insecure): a.b.c.d, for any namespace that exists.
 * - A name of the zone that matches nothing: NXDOMAIN; a name that exists without records of
 *   the type asked: NODATA. Both carry the zone's SOA in the authority section.
 * - Reverse zones fall through (not answered here); names outside the zones are forwarded.
 */
import type { Answer, SoaAnswer } from 'dns-packet';

export const CLUSTER_ZONE = 'cluster.local';
/** The Corefile's `ttl 30`. */
export const CLUSTER_TTL = 30;

export interface DnsServicePort {
  name?: string;
  port: number;
  protocol: string;
}

/** A Service as the plugin's informer sees it: 'None' for a headless one. */
export interface DnsService {
  namespace: string;
  name: string;
  clusterIP: string;
  ports: DnsServicePort[];
}

/** An EndpointSlice as the plugin reads it (kubernetes.io/service-name names its Service). */
export interface DnsEndpointSlice {
  namespace: string;
  labels: Record<string, string>;
  endpoints: { addresses: string[]; conditions: { ready: boolean }; hostname?: string }[];
  ports: { name: string; port: number; protocol: string }[];
}

/** What the plugin knows of the cluster. */
export interface ClusterDnsView {
  namespaces: string[];
  services: DnsService[];
  endpointSlices: DnsEndpointSlice[];
  /** The SOA serial: the plugin uses the time of the API's last change (unix seconds). */
  serial: number;
  /** The Corefile's ttl; 30 unless a fault says otherwise. */
  ttl?: number;
  /** `pods insecure` (the default here) answers pod names; false stands for `pods disabled`. */
  podRecords?: boolean;
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';

export interface ClusterAnswer {
  rcode: Rcode;
  answers: Answer[];
  additionals: Answer[];
  authorities: Answer[];
}

const HEADLESS = 'None';
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** True when `name` is `zone` or below it (case-insensitive). */
function inZone(name: string, zone: string): boolean {
  const lower = trimDot(name).toLowerCase();
  return lower === zone || lower.endsWith(`.${zone}`);
}

/** Whether the kubernetes plugin answers `name` (the rest goes to `forward`). */
export function isClusterName(name: string): boolean {
  return inZone(name, CLUSTER_ZONE);
}

export function isReverseName(name: string): boolean {
  return REVERSE_ZONES.some((zone) => inZone(name, zone));
}

const wildcard = (value: string) => value === '*' || value === 'any';
const match = (a: string, b: string) => wildcard(a) || wildcard(b) || a.toLowerCase() === b.toLowerCase();

interface RecordRequest {
  podOrSvc: '' | 'pod' | 'svc';
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

class NameError extends Error {}

/** parseRequest: the labels of the name below the zone, right to left. */
function parseRequest(name: string): RecordRequest {
  const request: RecordRequest = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '*', protocol: '*' };
  const base = trimDot(name).slice(0, -CLUSTER_ZONE.length).replace(/\.$/, '');
  if (base === '' || base === 'svc' || base === 'pod') return request;
  const labels = base.split('.');
  let last = labels.length - 1;
  const kind = labels[last]?.toLowerCase();
  if (kind !== 'pod' && kind !== 'svc') throw new NameError('neither pod nor svc');
  request.podOrSvc = kind;
  if (--last < 0) return request;
  request.namespace = labels[last] as string;
  if (--last < 0) return request;
  request.service = labels[last] as string;
  if (--last < 0) return request;
  if (last === 0) request.endpoint = labels[0] as string;
  else if (last === 1) {
    request.protocol = (labels[1] as string).replace(/^_/, '');
    request.port = (labels[0] as string).replace(/^_/, '');
  } else throw new NameError('too many labels');
  return request;
}

/** An address the plugin will answer: host, port, and the name (key) it stands under. */
interface Found {
  host: string;
  port: number;
  /** The owner name of the SRV target: `<endpoint>.<svc>.<ns>.svc.<zone>` or `<svc>.<ns>.svc.<zone>`. */
  target: string;
}

function endpointHostname(endpoint: { addresses: string[]; hostname?: string }, address: string): string {
  return endpoint.hostname || address.replaceAll('.', '-');
}

function sliceOf(view: ClusterDnsView, service: DnsService): DnsEndpointSlice[] {
  return view.endpointSlices.filter(
    (slice) => slice.namespace === service.namespace && slice.labels['kubernetes.io/service-name'] === service.name,
  );
}

function findServices(view: ClusterDnsView, request: RecordRequest): Found[] {
  if (!view.namespaces.includes(request.namespace)) throw new NameError('no such namespace');
  if (request.service === '') return []; // NODATA
  const found: Found[] = [];
  let exists = false;
  for (const service of view.services) {
    if (!match(request.namespace, service.namespace) || !match(request.service, service.name)) continue;
    const serviceName = `${service.name}.${service.namespace}.svc.${CLUSTER_ZONE}`;
    if (service.clusterIP === HEADLESS || request.endpoint !== '') {
      for (const slice of sliceOf(view, service)) {
        for (const endpoint of slice.endpoints) {
          // EndpointSliceToEndpoints keeps only ready endpoints in Addresses.
          if (!endpoint.conditions.ready) continue;
          for (const address of endpoint.addresses) {
            const hostname = endpointHostname(endpoint, address);
            if (request.endpoint !== '' && !match(request.endpoint, hostname)) continue;
            for (const port of slice.ports) {
              if (!match(request.port, port.name) || !match(request.protocol, port.protocol)) continue;
              exists = true;
              found.push({ host: address, port: port.port, target: `${hostname}.${serviceName}` });
            }
          }
        }
      }
      continue;
    }
    for (const port of service.ports) {
      if (!match(request.port, port.name ?? '') || !match(request.protocol, port.protocol)) continue;
      exists = true;
      found.push({ host: service.clusterIP, port: port.port, target: serviceName });
    }
  }
  if (!exists) throw new NameError('no such service');
  return found;
}

function findPods(view: ClusterDnsView, request: RecordRequest): Found[] {
  if (view.podRecords === false) throw new NameError('pods disabled');
  if (!view.namespaces.includes(request.namespace)) throw new NameError('no such namespace');
  if (request.service === '') return []; // NODATA
  if (request.endpoint !== '' || request.port !== '*') throw new NameError('not a pod name');
  const labels = request.service.split('-');
  // pods insecure: the name is trusted to spell an address, without looking for the pod.
  if (labels.length !== 4 || labels.some((label) => !/^\d{1,3}$/.test(label) || Number(label) > 255))
    throw new NameError('not an IPv4 address');
  return [{ host: labels.join('.'), port: 0, target: '' }];
}

function records(view: ClusterDnsView, name: string): Found[] {
  const request = parseRequest(name);
  if (request.podOrSvc === '') return [];
  return request.podOrSvc === 'pod' ? findPods(view, request) : findServices(view, request);
}

export function soaRecord(view: ClusterDnsView): SoaAnswer {
  const ttl = view.ttl ?? CLUSTER_TTL;
  return {
    type: 'SOA',
    name: CLUSTER_ZONE,
    ttl: Math.min(ttl, 300),
    class: 'IN',
    data: {
      mname: `ns.dns.${CLUSTER_ZONE}`,
      rname: `hostmaster.${CLUSTER_ZONE}`,
      serial: view.serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl,
    },
  };
}

function aRecords(name: string, found: Found[], ttl: number): Answer[] {
  const hosts = [...new Set(found.map((item) => item.host))].filter((host) => host.includes('.'));
  return hosts.map((host) => ({ type: 'A', name, ttl, class: 'IN', data: host }));
}

/**
 * The plugin's answer to one question in the cluster zone. `name` is kept as asked (the
 * plugin keeps the case of the query).
 */
export function answerClusterQuestion(view: ClusterDnsView, name: string, type: string): ClusterAnswer {
  const ttl = view.ttl ?? CLUSTER_TTL;
  const reply = (rcode: Rcode, answers: Answer[] = [], additionals: Answer[] = []): ClusterAnswer => ({
    rcode,
    answers,
    additionals,
    authorities: rcode === 'NOERROR' && answers.length > 0 ? [] : [soaRecord(view)],
  });
  const apex = trimDot(name).toLowerCase() === CLUSTER_ZONE;
  let found: Found[];
  try {
    found = records(view, name);
  } catch (error) {
    if (error instanceof NameError) return reply('NXDOMAIN');
    throw error;
  }
  switch (type) {
    case 'A':
      return reply('NOERROR', aRecords(name, found, ttl));
    case 'SRV': {
      const usable = found.filter((item) => item.target !== '');
      const weight = Math.max(1, Math.floor(100 / usable.length));
      const seen = new Set<string>();
      const answers: Answer[] = [];
      const additionals: Answer[] = [];
      for (const item of usable) {
        const key = `${item.target}|${item.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        answers.push({ type: 'SRV', name, ttl, class: 'IN', data: { priority: 0, weight, port: item.port, target: item.target } });
        if (!additionals.some((extra) => extra.name === item.target)) additionals.push(...aRecords(item.target, [item], ttl));
      }
      return reply('NOERROR', answers, additionals);
    }
    case 'SOA':
      return apex ? { rcode: 'NOERROR', answers: [soaRecord(view)], additionals: [], authorities: [] } : reply('NOERROR');
    default:
      // AAAA in a single-stack cluster, TXT, …: the name exists, the type does not (NODATA).
      return reply('NOERROR');
  }
}
