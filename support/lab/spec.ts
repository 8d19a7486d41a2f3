/**
 * What the lab is built from: the project's fixtures (Kind config, Calico Installation,
 * workload manifests), read into one plain description of the lab.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENCAPSULATION_OVERHEAD, usesVxlan } from '../net/calico.ts';
import { parseCidr } from '../net/cidr.ts';
import type { Encapsulation, NodeRole } from '../cluster/cluster.ts';
import { assertDnsLabel, podTemplateHash } from './naming.ts';
import { serviceSpecOf } from './services/manifests.ts';
import type { PodPorts, ServiceSpec } from './services/services.ts';
import { coreDnsWorkload } from './dns/coredns.ts';

export interface PoolSpec {
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: boolean;
}

export interface WorkloadSpec {
  kind: 'Pod' | 'DaemonSet' | 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Tolerates the control-plane taint, so a DaemonSet also runs there. */
  toleratesControlPlane: boolean;
  hostNetwork: boolean;
  containers: string[];
  /** A Deployment's replica count. */
  replicas?: number;
  /** A Deployment's pod-template-hash: its ReplicaSet is `<name>-<hash>`, its pods `<name>-<hash>-<5 chars>`. */
  templateHash?: string;
  /** The named container ports of its pods (a Service's named targetPort resolves through them). */
  ports?: PodPorts;
  /** The lesson folder (fixtures/lessons/<lesson>/) it comes from; absent for the suite's own workloads. */
  lesson?: string;
  /** A StatefulSet's governing (headless) Service: its pods get hostname <pod> and subdomain <serviceName>. */
  serviceName?: string;
  /** The pod's dnsPolicy; absent means ClusterFirst (a coredns pod has Default: its node's resolv.conf). */
  dnsPolicy?: 'ClusterFirst' | 'Default';
}

export interface LabSpec {
  name: string;
  nodes: { name: string; role: NodeRole }[];
  podSubnet: string;
  serviceSubnet: string;
  /** The Docker network Kind puts its nodes on; its first address is the gateway. */
  nodeNetwork: string;
  nodeMtu: number;
  pool: PoolSpec;
  workloads: WorkloadSpec[];
  /** The fixtures' Services, besides kubeadm's (kubernetes, kube-dns), which every lab has. */
  services: ServiceSpec[];
}

export const DEFAULT_FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures');

const KIND_NODE_NETWORK = '172.18.0.0/16';
const NODE_MTU = 1500;
const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

export function workloadMtu(spec: Pick<LabSpec, 'nodeMtu' | 'pool'>): number {
  return spec.nodeMtu - ENCAPSULATION_OVERHEAD[spec.pool.encapsulation];
}

/** Calico gives each node a VXLAN tunnel address when the pool uses VXLAN. */
export function usesVxlanTunnel(pool: PoolSpec): boolean {
  return usesVxlan(pool.encapsulation);
}

type Doc = Record<string, any>;

function readDocs(file: string): Doc[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read fixture ${file}`);
  }
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as Doc | null;
    return value ? [value] : [];
  });
}

export function kindNodeNames(clusterName: string, roles: NodeRole[]): { name: string; role: NodeRole }[] {
  let controlPlanes = 0;
  let workers = 0;
  return roles.map((role) => {
    const count = role === 'control-plane' ? ++controlPlanes : ++workers;
    const suffix = count === 1 ? '' : String(count);
    return { name: `${clusterName}-${role}${suffix}`, role };
  });
}

function readKindConfig(file: string): Pick<LabSpec, 'name' | 'nodes' | 'podSubnet' | 'serviceSubnet'> {
  const config = readDocs(file).find((doc) => doc.kind === 'Cluster');
  if (!config) throw new Error(`${file}: no Kind "Cluster" document`);
  const name = String(config.name ?? 'kind');
  assertDnsLabel('Kind cluster name', name);
  const roles = ((config.nodes as Doc[] | undefined) ?? [{ role: 'control-plane' }]).map((node) => {
    if (node.role !== 'control-plane' && node.role !== 'worker') throw new Error(`${file}: unknown node role "${node.role}"`);
    return node.role as NodeRole;
  });
  const networking = (config.networking ?? {}) as Doc;
  const podSubnet = String(networking.podSubnet ?? '10.244.0.0/16');
  const serviceSubnet = String(networking.serviceSubnet ?? '10.96.0.0/16');
  parseCidr(podSubnet);
  parseCidr(serviceSubnet);
  return { name, nodes: kindNodeNames(name, roles), podSubnet, serviceSubnet };
}

function readInstallationPool(file: string): PoolSpec {
  const installation = readDocs(file).find((doc) => doc.kind === 'Installation');
  const pool = installation?.spec?.calicoNetwork?.ipPools?.[0] as Doc | undefined;
  if (!pool) throw new Error(`${file}: no Installation with spec.calicoNetwork.ipPools`);
  const encapsulation = String(pool.encapsulation ?? 'IPIP') as Encapsulation;
  if (!(encapsulation in ENCAPSULATION_OVERHEAD)) throw new Error(`${file}: unknown encapsulation "${encapsulation}"`);
  const cidr = String(pool.cidr);
  parseCidr(cidr);
  return {
    name: String(pool.name ?? 'default-ipv4-ippool'),
    cidr,
    blockSize: Number(pool.blockSize ?? 26),
    encapsulation,
    natOutgoing: pool.natOutgoing !== 'Disabled',
  };
}

const WORKLOAD_KINDS = ['Pod', 'DaemonSet', 'Deployment', 'StatefulSet'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).sort();
}

function containerPorts(podSpec: Doc | undefined): PodPorts {
  const ports: PodPorts = {};
  for (const container of (podSpec?.containers as Doc[] | undefined) ?? []) {
    for (const port of (container.ports as Doc[] | undefined) ?? []) {
      if (port.name) ports[String(port.name)] = { port: Number(port.containerPort), protocol: port.protocol === 'UDP' ? 'UDP' : 'TCP' };
    }
  }
  return ports;
}

function workloadSpecOf(doc: Doc, file: string, lesson: string | undefined): WorkloadSpec {
  const podSpec = (doc.kind === 'Pod' ? doc.spec : doc.spec?.template?.spec) as Doc | undefined;
  const tolerations = (podSpec?.tolerations as Doc[] | undefined) ?? [];
  const name = String(doc.metadata?.name);
  assertDnsLabel(`${doc.kind} name in ${file}`, name);
  const deployment = doc.kind === 'Deployment';
  const replicas = Number(doc.spec?.replicas ?? 1);
  if (deployment && (!Number.isInteger(replicas) || replicas < 0)) throw new Error(`${file}: Deployment ${name} has replicas "${doc.spec?.replicas}"`);
  return {
    kind: doc.kind,
    name,
    namespace: String(doc.metadata?.namespace ?? 'default'),
    labels: { ...(doc.kind === 'Pod' ? doc.metadata?.labels : doc.spec?.template?.metadata?.labels) },
    toleratesControlPlane: tolerations.some(
      (toleration) => toleration.operator === 'Exists' && (toleration.key === CONTROL_PLANE_TAINT || toleration.key === undefined),
    ),
    hostNetwork: podSpec?.hostNetwork === true,
    containers: ((podSpec?.containers as Doc[] | undefined) ?? []).map((container) => String(container.name)),
    ports: containerPorts(podSpec),
    ...(deployment ? { replicas, templateHash: podTemplateHash(doc.spec?.template) } : {}),
    ...(doc.kind === 'StatefulSet' ? { replicas, serviceName: String(doc.spec?.serviceName ?? '') } : {}),
    ...(podSpec?.dnsPolicy === 'Default' ? { dnsPolicy: 'Default' as const } : {}),
    ...(lesson ? { lesson } : {}),
  };
}

function readObjects(dir: string, lesson?: string): { workloads: WorkloadSpec[]; services: ServiceSpec[] } {
  const workloads: WorkloadSpec[] = [];
  const services: ServiceSpec[] = [];
  for (const file of yamlFiles(dir)) {
    for (const doc of readDocs(join(dir, file))) {
      if (WORKLOAD_KINDS.includes(doc.kind)) workloads.push(workloadSpecOf(doc, file, lesson));
      else if (doc.kind === 'Service') services.push(serviceSpecOf(doc, file));
    }
  }
  return { workloads, services };
}

/** The suite's own workloads (fixtures/workloads/), then each lesson's (fixtures/lessons/<lesson>/), in name order. */
function readAllObjects(fixturesDir: string): { workloads: WorkloadSpec[]; services: ServiceSpec[] } {
  const all = readObjects(join(fixturesDir, 'workloads'));
  const lessonsDir = join(fixturesDir, 'lessons');
  let lessons: string[] = [];
  try {
    lessons = readdirSync(lessonsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch {
    lessons = [];
  }
  for (const lesson of lessons) {
    const objects = readObjects(join(lessonsDir, lesson), lesson);
    all.workloads.push(...objects.workloads);
    all.services.push(...objects.services);
  }
  return all;
}

export interface SpecOptions {
  fixturesDir?: string;
  /** Overrides the cluster name of the Kind config (and so every node name). */
  name?: string;
  /** Overrides the number of worker nodes (the scale lab). */
  workers?: number;
  /** Replaces the fixtures' workloads by this many probe pods on every node (the scale lab). */
  podsPerNode?: number;
}

/** `count` DaemonSets that tolerate the control-plane: `count` pods on every node. */
function probeDaemonSets(count: number): WorkloadSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    kind: 'DaemonSet' as const,
    name: `mesh-${index + 1}`,
    namespace: 'default',
    labels: { app: `mesh-${index + 1}` },
    toleratesControlPlane: true,
    hostNetwork: false,
    containers: ['probe'],
  }));
}

export function loadLabSpec(options: SpecOptions = {}): LabSpec {
  const dir = options.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const kind = readKindConfig(join(dir, 'kind-cluster.yaml'));
  const name = options.name ?? kind.name;
  assertDnsLabel('lab name', name);
  let roles = kind.nodes.map((node) => node.role);
  if (options.workers !== undefined) roles = ['control-plane', ...Array<NodeRole>(options.workers).fill('worker')];
  const objects = options.podsPerNode === undefined ? readAllObjects(dir) : { workloads: probeDaemonSets(options.podsPerNode), services: [] };
  // kubeadm's CoreDNS runs on every cluster (after the fixtures' pods, so their addresses stay as they were).
  if (options.podsPerNode === undefined) objects.workloads.push(coreDnsWorkload());
  return {
    ...kind,
    name,
    nodes: kindNodeNames(name, roles),
    nodeNetwork: KIND_NODE_NETWORK,
    nodeMtu: NODE_MTU,
    pool: readInstallationPool(join(dir, 'calico-installation.yaml')),
    ...objects,
  };
}
