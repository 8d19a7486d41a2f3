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
import { assertDnsLabel } from './naming.ts';
import type { AllowedUse } from './ipam/ipam.ts';

export interface PoolSpec {
  name: string;
  cidr: string;
  blockSize: number;
  encapsulation: Encapsulation;
  natOutgoing: boolean;
  /** Calico selector of the nodes that use the pool automatically; `all()` unless the fixture says otherwise. */
  nodeSelector: string;
  allowedUses: AllowedUse[];
  disableBGPExport: boolean;
}

/** crd.projectcalico.org/v1 IPReservation, as a fixture declares it. */
export interface ReservationSpec {
  name: string;
  reservedCIDRs: string[];
}

export interface WorkloadSpec {
  kind: 'Pod' | 'DaemonSet';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Tolerates the control-plane taint, so a DaemonSet also runs there. */
  toleratesControlPlane: boolean;
  hostNetwork: boolean;
  containers: string[];
  /** The pod template's annotations (a bare Pod's own). */
  annotations?: Record<string, string>;
}

export interface LabSpec {
  name: string;
  nodes: { name: string; role: NodeRole }[];
  podSubnet: string;
  serviceSubnet: string;
  /** The Docker network Kind puts its nodes on; its first address is the gateway. */
  nodeNetwork: string;
  nodeMtu: number;
  /** The Installation's first pool (the one the pod MTU and tunnel addresses follow). */
  pool: PoolSpec;
  /** The IPPools: the Installation's as the operator renders them (first one first), then any IPPool the fixture adds. */
  pools: PoolSpec[];
  /** The pools as the Installation declares them. */
  installationPools: PoolSpec[];
  ipReservations: ReservationSpec[];
  workloads: WorkloadSpec[];
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

function readInstallationPools(file: string): PoolSpec[] {
  const installation = readDocs(file).find((doc) => doc.kind === 'Installation');
  const pools = (installation?.spec?.calicoNetwork?.ipPools as Doc[] | undefined) ?? [];
  if (pools.length === 0) throw new Error(`${file}: no Installation with spec.calicoNetwork.ipPools`);
  return pools.map((pool, index) => readInstallationPool(file, pool, index));
}

/** IPPools applied beside the Installation (deploy.sh's LoadBalancer pool, say), in projectcalico.org/v3 form. */
function readExtraPools(file: string): PoolSpec[] {
  return readDocs(file)
    .filter((doc) => doc.kind === 'IPPool')
    .map((doc) => {
      const spec = (doc.spec ?? {}) as Doc;
      const cidr = String(spec.cidr);
      parseCidr(cidr);
      return {
        name: String(doc.metadata?.name),
        cidr,
        blockSize: Number(spec.blockSize ?? 26),
        encapsulation: spec.vxlanMode === 'Always' ? 'VXLAN' : spec.vxlanMode === 'CrossSubnet' ? 'VXLANCrossSubnet' : 'None',
        natOutgoing: spec.natOutgoing === true,
        nodeSelector: String(spec.nodeSelector ?? 'all()'),
        allowedUses: ((spec.allowedUses as AllowedUse[] | undefined) ?? ['Workload', 'Tunnel']).map((use) => use),
        disableBGPExport: spec.disableBGPExport === true,
      };
    });
}

/** IPReservations among the Calico resources of the fixture (deploy.sh applies them with the Installation). */
function readReservations(file: string): ReservationSpec[] {
  return readDocs(file)
    .filter((doc) => doc.kind === 'IPReservation')
    .map((doc) => {
      const cidrs = ((doc.spec?.reservedCIDRs as unknown[] | undefined) ?? []).map(String);
      cidrs.forEach((cidr) => parseCidr(cidr));
      return { name: String(doc.metadata?.name), reservedCIDRs: cidrs };
    });
}

// The operator names the first pool default-ipv4-ippool when the Installation does not name it.
function readInstallationPool(file: string, pool: Doc, index: number): PoolSpec {
  const encapsulation = String(pool.encapsulation ?? 'IPIP') as Encapsulation;
  if (!(encapsulation in ENCAPSULATION_OVERHEAD)) throw new Error(`${file}: unknown encapsulation "${encapsulation}"`);
  const cidr = String(pool.cidr);
  parseCidr(cidr);
  return {
    name: String(pool.name ?? (index === 0 ? 'default-ipv4-ippool' : `ipv4-ippool-${index}`)),
    cidr,
    blockSize: Number(pool.blockSize ?? 26),
    encapsulation,
    natOutgoing: pool.natOutgoing !== 'Disabled',
    nodeSelector: String(pool.nodeSelector ?? 'all()'),
    allowedUses: ((pool.allowedUses as AllowedUse[] | undefined) ?? ['Workload', 'Tunnel']).map((use) => use),
    disableBGPExport: pool.disableBGPExport === true,
  };
}

function readWorkloads(dir: string): WorkloadSpec[] {
  const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).sort();
  return files.flatMap((file) =>
    readDocs(join(dir, file)).flatMap((doc): WorkloadSpec[] => {
      if (doc.kind !== 'Pod' && doc.kind !== 'DaemonSet') return [];
      const podSpec = (doc.kind === 'Pod' ? doc.spec : doc.spec?.template?.spec) as Doc | undefined;
      const tolerations = (podSpec?.tolerations as Doc[] | undefined) ?? [];
      const name = String(doc.metadata?.name);
      assertDnsLabel(`${doc.kind} name in ${file}`, name);
      return [
        {
          kind: doc.kind,
          name,
          namespace: String(doc.metadata?.namespace ?? 'default'),
          labels: { ...(doc.kind === 'Pod' ? doc.metadata?.labels : doc.spec?.template?.metadata?.labels) },
          toleratesControlPlane: tolerations.some(
            (toleration) => toleration.operator === 'Exists' && (toleration.key === CONTROL_PLANE_TAINT || toleration.key === undefined),
          ),
          hostNetwork: podSpec?.hostNetwork === true,
          containers: ((podSpec?.containers as Doc[] | undefined) ?? []).map((container) => String(container.name)),
          annotations: { ...((doc.kind === 'Pod' ? doc.metadata?.annotations : doc.spec?.template?.metadata?.annotations) as Record<string, string> | undefined) },
        },
      ];
    }),
  );
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
  const installation = join(dir, 'calico-installation.yaml');
  const declared = readInstallationPools(installation);
  const pools = [...declared.map((pool) => ({ ...pool, allowedUses: [...pool.allowedUses] })), ...readExtraPools(installation)];
  return {
    ...kind,
    name,
    nodes: kindNodeNames(name, roles),
    nodeNetwork: KIND_NODE_NETWORK,
    nodeMtu: NODE_MTU,
    pool: pools[0] as PoolSpec,
    pools,
    installationPools: declared,
    ipReservations: readReservations(installation),
    workloads: options.podsPerNode === undefined ? readWorkloads(join(dir, 'workloads')) : probeDaemonSets(options.podsPerNode),
  };
}
