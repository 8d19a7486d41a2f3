/**
 * What the lab is built from: a topology's fixtures (fixtures/topologies/<name>/: Kind
 * config, Calico Installation, and for the containerlab family its topology file) and the
 * shared workload manifests, read into one plain description of the lab.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENCAPSULATION_OVERHEAD, usesVxlan } from '../net/calico.ts';
import { intToIp, parseCidr } from '../net/cidr.ts';
import type { IpPool, NodeRole } from '../domain.ts';
import type { Encapsulation } from '../net/calico.ts';
import { assertDnsLabel, podTemplateHash } from './naming.ts';
import type { AllowedUse } from './ipam/ipam.ts';
import { CALICO_RESOURCES_DIR, kindNodeLabels, readBgpSpec, type BgpSpec } from './bgp/spec.ts';
import { DEFAULT_TOPOLOGY, FIXTURES_DIR, SHARED_WORKLOADS_DIR, topologyDir } from '../topology/catalogue.ts';
import { CLAB_MGMT_NETWORK, parseClabTopology, parseExec, type ExecCommand } from '../topology/clab.ts';
import { serviceSpecOf } from './services/manifests.ts';
import type { PodPorts, ServiceSpec } from './services/services.ts';
import { coreDnsWorkload } from './dns/coredns.ts';
import type { WorkloadSpec } from './workload-spec.ts';
import { nadSpecOf, type NadSpec } from './multus/nad.ts';

/** A pool as a fixture declares it: the port's IpPool without what only a running cluster knows (its MTU, its resource). */
export interface PoolSpec extends Omit<IpPool, 'allowedUses' | 'mtu' | 'resource'> {
  allowedUses: AllowedUse[];
  /** Calico v3.30's assignmentMode; absent means Automatic. */
  assignmentMode?: 'Automatic' | 'Manual';
}

/** crd.projectcalico.org/v1 IPReservation, as a fixture declares it. */
export interface ReservationSpec {
  name: string;
  reservedCIDRs: string[];
}

export interface NodeSpec {
  name: string;
  role: NodeRole;
  /** The kubelet's --node-ip (from the Kind config's kubeadm patches): the node's InternalIP. */
  nodeIP?: string;
  /** The node's labels from the Kind config (nodes[].labels, kubelet --node-labels). */
  labels?: Record<string, string>;
}

/** A link of the containerlab family: a node's interface (eth1) wired to a router port. */
export interface LinkSpec {
  node: string;
  nodeIface: string;
  routerIface: string;
  mtu: number;
}

/** The containerlab part of a topology: the router, the links, and what each end runs. */
export interface RoutedSpec {
  /** containerlab's topology name: its containers are clab-<name>-<node>. */
  clabName: string;
  router: {
    /** The router's node name in the topology file (frr01). */
    node: string;
    image: string | undefined;
    /** Its management address on containerlab's network, with prefix. */
    mgmtAddress: string;
    exec: ExecCommand[];
  };
  links: LinkSpec[];
  /** Lab node name → the exec lines containerlab runs in that node (eth1 address, static routes). */
  nodeExec: Record<string, ExecCommand[]>;
}

export interface LabSpec {
  name: string;
  /** The topology this lab builds (fixtures/topologies/<topology>/). */
  topology: string;
  nodes: NodeSpec[];
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
  /** Installation spec.calicoNetwork.nodeAddressAutodetectionV4.cidrs: which interface address Calico takes for a node. */
  nodeAddressCidrs: string[] | undefined;
  /** Installation spec.calicoNetwork.mtu, when set; otherwise Calico derives it from the node's interfaces. */
  installationMtu: number | undefined;
  /** The router, the links and the nodes' second interfaces, for the containerlab family. */
  routed: RoutedSpec | undefined;
  workloads: WorkloadSpec[];
  /** The fixtures' Services, besides kubeadm's (kubernetes, kube-dns), which every lab has. */
  services: ServiceSpec[];
  /** BGP between the nodes' BIRD and the router's FRR, for the topologies that configure it (lessons 07, 08, 10, 15). */
  bgp?: BgpSpec;
  /** The NetworkAttachmentDefinitions the fixtures apply (lessons 21, 22): Multus' secondary networks. */
  nads?: NadSpec[];
}

const KIND_NODE_NETWORK = '172.18.0.0/16';
const NODE_MTU = 1500;
const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

/**
 * The MTU Calico gives pods: the Installation's when set; otherwise the smallest MTU among the
 * nodes' host interfaces less the encapsulation's overhead (Felix v3.30.0,
 * felix/dataplane/linux/int_dataplane.go findHostMTU over the interfaces matching
 * mtuIfacePattern, which eth0 and eth1 do).
 */
export function workloadMtu(spec: Pick<LabSpec, 'nodeMtu' | 'pool' | 'installationMtu' | 'routed'>): number {
  if (spec.installationMtu !== undefined) return spec.installationMtu;
  return hostMtu(spec) - ENCAPSULATION_OVERHEAD[spec.pool.encapsulation];
}

/** The smallest MTU of the nodes' host interfaces: eth0 on the node network, and any link of the topology file. */
export function hostMtu(spec: Pick<LabSpec, 'nodeMtu' | 'routed'>): number {
  return Math.min(spec.nodeMtu, ...(spec.routed?.links.map((link) => link.mtu) ?? []));
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

/** The kubelet's node-ip from a node's kubeadm config patches (Init- or JoinConfiguration), if any. */
function nodeIPOf(node: Doc, file: string): string | undefined {
  for (const patch of (node.kubeadmConfigPatches as unknown[] | undefined) ?? []) {
    const docs = parseAllDocuments(String(patch));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: a kubeadmConfigPatch is not YAML: ${doc.errors[0]?.message}`);
      const value = (doc.toJS() ?? {}) as Doc;
      const ip = value.nodeRegistration?.kubeletExtraArgs?.['node-ip'];
      if (ip !== undefined) return String(ip);
    }
  }
  return undefined;
}

function readKindConfig(file: string): Pick<LabSpec, 'name' | 'nodes' | 'podSubnet' | 'serviceSubnet'> {
  const config = readDocs(file).find((doc) => doc.kind === 'Cluster');
  if (!config) throw new Error(`${file}: no Kind "Cluster" document`);
  const name = String(config.name ?? 'kind');
  assertDnsLabel('Kind cluster name', name);
  const configNodes = (config.nodes as Doc[] | undefined) ?? [{ role: 'control-plane' }];
  const roles = configNodes.map((node) => {
    if (node.role !== 'control-plane' && node.role !== 'worker') throw new Error(`${file}: unknown node role "${node.role}"`);
    return node.role as NodeRole;
  });
  const networking = (config.networking ?? {}) as Doc;
  const podSubnet = String(networking.podSubnet ?? '10.244.0.0/16');
  const serviceSubnet = String(networking.serviceSubnet ?? '10.96.0.0/16');
  parseCidr(podSubnet);
  parseCidr(serviceSubnet);
  const nodes = kindNodeNames(name, roles).map((node, index) => {
    const nodeIP = nodeIPOf(configNodes[index] as Doc, file);
    return nodeIP === undefined ? node : { ...node, nodeIP };
  });
  return { name, nodes, podSubnet, serviceSubnet };
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
        ...(spec.assignmentMode === 'Manual' ? { assignmentMode: 'Manual' as const } : {}),
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

function readInstallation(
  file: string,
): Pick<LabSpec, 'pool' | 'pools' | 'installationPools' | 'ipReservations' | 'nodeAddressCidrs' | 'installationMtu'> {
  const installation = readDocs(file).find((doc) => doc.kind === 'Installation');
  const network = (installation?.spec?.calicoNetwork ?? {}) as Doc;
  const cidrs = network.nodeAddressAutodetectionV4?.cidrs as unknown[] | undefined;
  cidrs?.forEach((cidr) => parseCidr(String(cidr)));
  const declared = readInstallationPools(file);
  const pools = [...declared.map((pool) => ({ ...pool, allowedUses: [...pool.allowedUses] })), ...readExtraPools(file)];
  return {
    pool: pools[0] as PoolSpec,
    pools,
    installationPools: declared,
    ipReservations: readReservations(file),
    nodeAddressCidrs: cidrs?.map(String),
    installationMtu: network.mtu === undefined ? undefined : Number(network.mtu),
  };
}

/** The IPPools a lesson applies with its other Calico resources (calico/*.yaml: lesson 08's LoadBalancer pool), after the Installation's. */
function withLessonPools<T extends Pick<LabSpec, 'pools'>>(installation: T, dir: string): T {
  const resources = join(dir, CALICO_RESOURCES_DIR);
  if (!existsSync(resources)) return installation;
  const extra = yamlFiles(resources).flatMap((file) => readExtraPools(join(resources, file)));
  const pools = [...installation.pools];
  for (const pool of extra) if (!pools.some((known) => known.name === pool.name)) pools.push(pool);
  return { ...installation, pools };
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

/** The hostnames of a preferred node affinity (`kubernetes.io/hostname In [...]`), heaviest weight first. */
function preferredHostnames(podSpec: Doc | undefined): Pick<WorkloadSpec, 'preferredNodes'> {
  const terms = ((podSpec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution as Doc[] | undefined) ?? []).sort(
    (a, b) => Number(b.weight ?? 0) - Number(a.weight ?? 0),
  );
  const names = terms.flatMap((term) =>
    ((term.preference?.matchExpressions as Doc[] | undefined) ?? [])
      .filter((expression) => expression.key === 'kubernetes.io/hostname' && expression.operator === 'In')
      .flatMap((expression) => (expression.values as unknown[]).map(String)),
  );
  return names.length ? { preferredNodes: names } : {};
}

const WORKLOAD_KINDS = ['Pod', 'DaemonSet', 'Deployment', 'StatefulSet'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
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
  if (deployment && (!Number.isInteger(replicas) || replicas < 0))
    throw new Error(`${file}: Deployment ${name} has replicas "${doc.spec?.replicas}"`);
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
    ...commandOf(podSpec),
    ...(lesson ? { lesson } : {}),
    ...preferredHostnames(podSpec),
    annotations: {
      ...((doc.kind === 'Pod' ? doc.metadata?.annotations : doc.spec?.template?.metadata?.annotations) as
        Record<string, string> | undefined),
    },
  };
}

interface Objects {
  workloads: WorkloadSpec[];
  services: ServiceSpec[];
  nads: NadSpec[];
}

function commandOf(podSpec: Doc | undefined): Pick<WorkloadSpec, 'command'> {
  const container = (podSpec?.containers as Doc[] | undefined)?.[0];
  const argv = [...((container?.command as unknown[] | undefined) ?? []), ...((container?.args as unknown[] | undefined) ?? [])].map(
    String,
  );
  return argv.length ? { command: argv } : {};
}

function readObjects(dir: string, lesson?: string): Objects {
  const workloads: WorkloadSpec[] = [];
  const services: ServiceSpec[] = [];
  const nads: NadSpec[] = [];
  for (const file of yamlFiles(dir)) {
    for (const doc of readDocs(join(dir, file))) {
      if (WORKLOAD_KINDS.includes(doc.kind)) workloads.push(workloadSpecOf(doc, file, lesson));
      else if (doc.kind === 'Service') services.push(serviceSpecOf(doc, file));
      else if (doc.kind === 'NetworkAttachmentDefinition') nads.push(nadSpecOf(doc, file));
    }
  }
  return { workloads, services, nads };
}

/**
 * Where a topology's lesson workloads live: its own lessons/ folder, or for the default
 * topology (lessons 02-05 and 11) the shared fixtures/lessons/.
 */
function lessonsDirOf(topologyFolder: string, topology: string): string | undefined {
  const own = join(topologyFolder, 'lessons');
  if (existsSync(own)) return own;
  return topology === DEFAULT_TOPOLOGY ? join(FIXTURES_DIR, 'lessons') : undefined;
}

/** The suite's own workloads (fixtures/workloads/), then each lesson's (<lessons>/<lesson>/), in name order; of the lessons in `only` when given. */
function readAllObjects(workloadsDir: string, lessonsDir: string | undefined, only: readonly string[] | undefined): Objects {
  const all = readObjects(workloadsDir);
  let lessons: string[] = [];
  try {
    if (lessonsDir)
      lessons = readdirSync(lessonsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
  } catch {
    lessons = [];
  }
  for (const lesson of lessons.filter((name) => !only || only.includes(name))) {
    const objects = readObjects(join(lessonsDir as string, lesson), lesson);
    all.workloads.push(...objects.workloads);
    all.services.push(...objects.services);
    all.nads.push(...objects.nads);
  }
  return all;
}

export interface SpecOptions {
  /** The topology to build (fixtures/topologies/<name>/); default `kind`. */
  topology?: string;
  /** A topology folder of one's own, instead of a named topology. */
  fixturesDir?: string;
  /** Overrides the cluster name of the Kind config (and so every node name). */
  name?: string;
  /** Overrides the number of worker nodes (the scale lab). */
  workers?: number;
  /** Replaces the fixtures' workloads by this many probe pods on every node (the scale lab). */
  podsPerNode?: number;
  /**
   * Only these lessons' workloads (`lesson-04`…), as the kind target applies only the selected
   * lessons' (run/lessons-selected.ts): a run of lessons 02+03 builds no nginx, redis or
   * lesson-05 pods. Every lesson's when absent.
   */
  lessons?: readonly string[];
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

export const CLAB_TOPOLOGY_FILE = 'topology.clab.yaml';

/**
 * The containerlab part: the Kind nodes (ext-containers named <kind cluster>-<role><n>) mapped
 * to the lab's node names, the one router (any other node but the k8s-kind one), the links.
 */
function readRouted(file: string, kindName: string, nodes: NodeSpec[], labName: string): RoutedSpec | undefined {
  const topology = parseClabTopology(readFileSync(file, 'utf8'), file);
  // containerlab only starting the Kind cluster (lesson 12): no router, no link, the Kind family's network.
  if (topology.links.length === 0 && topology.nodes.every((node) => node.kind === 'k8s-kind')) return undefined;
  const labNodeOf = (clabNode: string): string | undefined => {
    if (!clabNode.startsWith(`${kindName}-`)) return undefined;
    const name = `${labName}-${clabNode.slice(kindName.length + 1)}`;
    return nodes.some((node) => node.name === name) ? name : undefined;
  };
  const routers = topology.nodes.filter((node) => node.kind !== 'k8s-kind' && node.kind !== 'ext-container');
  if (routers.length !== 1) throw new Error(`${file}: expected one router node (not k8s-kind or ext-container), found ${routers.length}`);
  const router = routers[0] as (typeof routers)[number];
  const nodeExec: Record<string, ExecCommand[]> = {};
  for (const node of topology.nodes.filter((candidate) => candidate.kind === 'ext-container')) {
    const name = labNodeOf(node.name);
    if (!name) throw new Error(`${file}: ext-container "${node.name}" is not a node of the Kind cluster "${kindName}"`);
    nodeExec[name] = node.exec.map((line) => parseExec(line, `${file} ${node.name}`));
  }
  const links = topology.links.map((link) => {
    const [routerEnd, nodeEnd] = link.a.node === router.name ? [link.a, link.b] : [link.b, link.a];
    const node = labNodeOf(nodeEnd.node);
    if (routerEnd.node !== router.name || !node)
      throw new Error(`${file}: link ${link.a.node}:${link.a.iface} – ${link.b.node}:${link.b.iface} must join the router and a Kind node`);
    return { node, nodeIface: nodeEnd.iface, routerIface: routerEnd.iface, mtu: link.mtu };
  });
  return {
    clabName: topology.name,
    // containerlab hands out management addresses from .2 on.
    router: {
      node: router.name,
      image: router.image,
      mgmtAddress: `${intToIp(parseCidr(CLAB_MGMT_NETWORK).base + 2)}/${parseCidr(CLAB_MGMT_NETWORK).prefix}`,
      exec: router.exec.map((line) => parseExec(line, `${file} ${router.name}`)),
    },
    links,
    nodeExec,
  };
}

/** Kind node names in an affinity (k01-worker3) become the lab's (h14-mtu-lab-worker3). */
function renamePreferred(workload: WorkloadSpec, kindName: string, labName: string): WorkloadSpec {
  if (!workload.preferredNodes) return workload;
  return {
    ...workload,
    preferredNodes: workload.preferredNodes.map((node) =>
      node.startsWith(`${kindName}-`) ? `${labName}-${node.slice(kindName.length + 1)}` : node,
    ),
  };
}

export function loadLabSpec(options: SpecOptions = {}): LabSpec {
  const topology = options.topology ?? DEFAULT_TOPOLOGY;
  const dir = options.fixturesDir ?? topologyDir(topology);
  const kind = readKindConfig(join(dir, 'kind-cluster.yaml'));
  const name = options.name ?? kind.name;
  assertDnsLabel('lab name', name);
  let configNodes = kind.nodes;
  if (options.workers !== undefined)
    configNodes = kindNodeNames(kind.name, ['control-plane', ...Array<NodeRole>(options.workers).fill('worker')]);
  const nodes = kindNodeNames(
    name,
    configNodes.map((node) => node.role),
  ).map((node, index) => ({ ...configNodes[index], ...node }));
  const clabFile = join(dir, CLAB_TOPOLOGY_FILE);
  const labels = kindNodeLabels(readFileSync(join(dir, 'kind-cluster.yaml'), 'utf8'));
  nodes.forEach((node, index) => {
    if (labels[index] && Object.keys(labels[index]).length > 0) node.labels = labels[index];
  });
  const bgp = readBgpSpec(dir, clabFile);
  const workloadsDir = existsSync(join(dir, 'workloads')) ? join(dir, 'workloads') : SHARED_WORKLOADS_DIR;
  const objects =
    options.podsPerNode === undefined
      ? readAllObjects(workloadsDir, lessonsDirOf(dir, topology), options.lessons)
      : { workloads: probeDaemonSets(options.podsPerNode), services: [], nads: [] };
  // kubeadm's CoreDNS runs on every cluster (after the fixtures' pods, so their addresses stay as they were).
  if (options.podsPerNode === undefined) objects.workloads.push(coreDnsWorkload());
  objects.workloads = objects.workloads.map((workload) => renamePreferred(workload, kind.name, name));
  return {
    ...kind,
    name,
    topology,
    nodes,
    nodeNetwork: KIND_NODE_NETWORK,
    nodeMtu: NODE_MTU,
    ...withLessonPools(readInstallation(join(dir, 'calico-installation.yaml')), dir),
    routed: existsSync(clabFile) ? readRouted(clabFile, kind.name, nodes, name) : undefined,
    workloads: objects.workloads,
    services: objects.services,
    ...(objects.nads.length ? { nads: objects.nads } : {}),
    ...(bgp ? { bgp } : {}),
  };
}
