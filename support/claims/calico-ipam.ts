/**
 * Claims of lessons 01 and 09 about Calico's IPAM objects as the API holds them: IPPools as
 * the operator renders the Installation's pools, BlockAffinities, IPAM blocks, and the
 * accounting `calicoctl ipam show` prints.
 */
import type { BlockAffinity, IpamBlock, IpPool, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { blockAffinityName, VXLAN_DEVICE } from '../net/calico.ts';
import { cidrContains, cidrsOverlap, parseCidr } from '../net/cidr.ts';
import { interfaces, interfaceNamed, ipv4Addresses } from '../probes/interfaces.ts';
import { kindVersion } from '../probes/identity.ts';
import { nodeTarget } from '../subjects.ts';
import type { ExecResult } from '../domain.ts';

function bare(cidr: string): string {
  return cidr.split('/')[0] as string;
}

function network(cidr: string): string {
  return cidr.split('/')[0] as string;
}

function poolNamed(pools: IpPool[], name: string): IpPool {
  const pool = pools.find((candidate) => candidate.name === name);
  if (!pool) throw new Error(`the cluster has no IP pool "${name}" (pools: ${list(pools.map((p) => p.name))})`);
  return pool;
}

function poolOf(pools: IpPool[], cidr: string): IpPool | undefined {
  return pools.find((pool) => cidrContains(pool.cidr, network(cidr)));
}

const SETTINGS = ['cidr', 'blockSize', 'encapsulation', 'natOutgoing', 'nodeSelector', 'disableBGPExport'] as const;

/** L01-03, L09-01, L16-01: the operator renders each Installation pool as one IPPool with the declared settings. */
export async function poolsRenderedFromInstallation(cluster: Cluster): Promise<Verdict> {
  const [declared, pools] = await Promise.all([cluster.installationPools(), cluster.ipPools()]);
  const findings = declared.flatMap((wanted) => {
    const pool = pools.find((candidate) => candidate.name === wanted.name);
    if (!pool) return [`no IPPool ${wanted.name}`];
    return SETTINGS.filter((key) => pool[key] !== wanted[key]).map(
      (key) => `${pool.name} ${key}: ${String(pool[key])} (declared ${String(wanted[key])})`,
    );
  });
  const describe = (pool: Omit<IpPool, 'mtu'>) => `${pool.name} ${SETTINGS.map((key) => `${key}=${String(pool[key])}`).join(' ')}`;
  return verdict(
    declared.length > 0 && findings.length === 0,
    `every pool of the Installation to be an IPPool with the settings it declares: ${declared.map(describe).join('; ')}`,
    findings.length ? findings.join('; ') : pools.map(describe).join('; '),
    [],
    [listing('installation-pools', declared), listing('ip-pools', pools)],
  );
}

/** L09-01, L16-01: `kubectl get ippools` lists exactly these pools. */
export async function poolsAreExactly(cluster: Cluster, names: string[]): Promise<Verdict> {
  const pools = await cluster.ipPools();
  const seen = pools.map((pool) => pool.name);
  return verdict(sameSet(seen, names), `the IP pools to be exactly ${list(names)}`, list(seen), [], [listing('ip-pools', pools)]);
}

export interface PoolAccounting {
  name: string;
  cidr: string;
  total: number;
  inUse: number;
  free: number;
  blocks: { cidr: string; total: number; inUse: number; free: number }[];
}

/** What `calicoctl ipam show --show-blocks` prints, from the pools and blocks as calicoctl reads them (ipam.go GetUtilization). */
export function ipamShow(pools: IpPool[], blocks: IpamBlock[]): PoolAccounting[] {
  return pools.map((pool) => {
    const own = blocks.filter((block) => poolOf([pool], block.cidr) !== undefined);
    const total = parseCidr(pool.cidr).size;
    const inUse = own.reduce((sum, block) => sum + block.allocations.length, 0);
    return {
      name: pool.name,
      cidr: pool.cidr,
      total,
      inUse,
      free: total - inUse,
      blocks: own.map((block) => ({
        cidr: block.cidr,
        total: parseCidr(block.cidr).size,
        inUse: block.allocations.length,
        free: parseCidr(block.cidr).size - block.allocations.length,
      })),
    };
  });
}

/** The address of each node's vxlan.calico, as the node shows it. */
async function tunnelAddresses(cluster: Cluster, nodes: string[]): Promise<{ byNode: Map<string, string[]>; evidence: ExecResult[] }> {
  const seen = await Promise.all(nodes.map(async (node) => ({ node, observation: await interfaces(cluster, nodeTarget(node)) })));
  const byNode = new Map<string, string[]>();
  for (const { node, observation } of seen) {
    const device = interfaceNamed(observation.value, VXLAN_DEVICE);
    byNode.set(node, device ? ipv4Addresses(device).map(bare) : []);
  }
  return { byNode, evidence: seen.flatMap(({ observation }) => observation.evidence) };
}

/**
 * L01-04: IPS TOTAL is the pool's size, IPS IN USE the addresses its blocks hold, IPS FREE the
 * rest; and what is in use is exactly the pods on the pod network and the nodes' tunnel
 * addresses, as the pods' status and the nodes' vxlan.calico show them.
 */
export async function ipamShowAccountsForPodsAndTunnels(cluster: Cluster): Promise<Verdict> {
  const [pools, blocks, pods, nodes] = await Promise.all([cluster.ipPools(), cluster.ipamBlocks(), cluster.pods(), cluster.nodes()]);
  const tunnels = await tunnelAddresses(
    cluster,
    nodes.map((node) => node.name),
  );
  const accounting = ipamShow(pools, blocks);
  const rows = accounting.map((pool) => {
    const inPool = (ip: string | undefined) => ip !== undefined && cidrContains(pool.cidr, ip);
    const podCount = pods.filter((pod) => !pod.hostNetwork && inPool(pod.ip)).length;
    const tunnelCount = [...tunnels.byNode.values()].flat().filter(inPool).length;
    const ok =
      pool.total === 2 ** (32 - parseCidr(pool.cidr).prefix) &&
      pool.free === pool.total - pool.inUse &&
      pool.inUse === podCount + tunnelCount;
    return { pool, podCount, tunnelCount, ok };
  });
  return verdict(
    rows.every((row) => row.ok),
    'for every pool: IPS TOTAL = 2^(32 − prefix), IPS IN USE = the pods on the pod network in it plus the nodes’ tunnel addresses in it, IPS FREE = TOTAL − IN USE',
    rows
      .map(
        ({ pool, podCount, tunnelCount }) =>
          `${pool.name} ${pool.cidr}: total ${pool.total}, in use ${pool.inUse}, free ${pool.free}; ${podCount} pods + ${tunnelCount} tunnel addresses`,
      )
      .join('; '),
    tunnels.evidence,
    [
      listing('calicoctl-ipam-show', accounting),
      listing(
        'pods',
        pods.map((pod) => ({ pod: `${pod.namespace}/${pod.name}`, ip: pod.ip, hostNetwork: pod.hostNetwork })),
      ),
    ],
  );
}

function affinityFindings(affinity: BlockAffinity, nodes: string[], pools: IpPool[]): string[] {
  const findings: string[] = [];
  const pool = poolOf(pools, affinity.cidr);
  if (!nodes.includes(affinity.node)) findings.push(`${affinity.name}: node ${affinity.node} is not a node of the cluster`);
  if (!pool) findings.push(`${affinity.name}: ${affinity.cidr} lies in no pool`);
  else if (parseCidr(affinity.cidr, { loose: true }).prefix !== pool.blockSize)
    findings.push(`${affinity.name}: ${affinity.cidr} is not a /${pool.blockSize} block of ${pool.name}`);
  if (affinity.state !== 'confirmed') findings.push(`${affinity.name}: state ${affinity.state}`);
  if (affinity.deleted !== 'false') findings.push(`${affinity.name}: deleted ${affinity.deleted}`);
  return findings;
}

/** L01-05: every node has a confirmed BlockAffinity for a block of its pool's size; every affinity names a node and such a block. */
export async function everyNodeHasConfirmedAffinity(cluster: Cluster, { exactlyOne }: { exactlyOne: boolean }): Promise<Verdict> {
  const [nodes, affinities, pools] = await Promise.all([cluster.nodes(), cluster.blockAffinities(), cluster.ipPools()]);
  const hosts = affinities.filter((affinity) => affinity.type !== 'virtual');
  const names = nodes.map((node) => node.name);
  const findings = hosts.flatMap((affinity) => affinityFindings(affinity, names, pools));
  for (const node of names) {
    const count = hosts.filter((affinity) => affinity.node === node).length;
    if (count === 0 || (exactlyOne && count !== 1)) findings.push(`${node} has ${count} BlockAffinities`);
  }
  return verdict(
    findings.length === 0,
    `every node to have ${exactlyOne ? 'exactly one' : 'at least one'} BlockAffinity, each naming a node of the cluster and a block of its pool's block size, state confirmed, deleted "false"`,
    findings.length ? findings.join('; ') : hosts.map((affinity) => `${affinity.node}: ${affinity.cidr} ${affinity.state}`).join('; '),
    [],
    [listing('block-affinities', affinities), listing('ip-pools', pools)],
  );
}

/** L01-06: a BlockAffinity is named `<node>-<block CIDR with "." and "/" as "-">`. */
export async function affinitiesNamedByRule(cluster: Cluster): Promise<Verdict> {
  const affinities = await cluster.blockAffinities();
  const wrong = affinities.filter((affinity) => affinity.name !== blockAffinityName(affinity.node, affinity.cidr));
  return verdict(
    affinities.length > 0 && wrong.length === 0,
    `every BlockAffinity (${affinities.length}) to be named <node>-<block CIDR with dashes>`,
    wrong.length
      ? wrong
          .map(
            (affinity) =>
              `${affinity.name} for ${affinity.node} ${affinity.cidr} (the rule gives ${blockAffinityName(affinity.node, affinity.cidr)})`,
          )
          .join('; ')
      : list(affinities.map((a) => a.name)),
    [],
    [listing('block-affinities', affinities)],
  );
}

/** L01-07: every block lies inside a pool and is aligned on its own size, the pool's block size. */
export async function blocksAlignedInTheirPool(cluster: Cluster): Promise<Verdict> {
  const [blocks, pools] = await Promise.all([cluster.ipamBlocks(), cluster.ipPools()]);
  const findings = blocks.flatMap((block) => {
    const pool = poolOf(pools, block.cidr);
    const cidr = parseCidr(block.cidr, { loose: true });
    const aligned = parseCidrBase(block.cidr) % cidr.size === 0;
    if (!pool) return [`${block.cidr} lies in no pool`];
    const problems = [];
    if (cidr.prefix !== pool.blockSize) problems.push(`${block.cidr} is a /${cidr.prefix}, not a /${pool.blockSize} of ${pool.name}`);
    if (!aligned) problems.push(`${block.cidr} does not start on a multiple of ${cidr.size}`);
    if (!cidrsOverlap(pool.cidr, block.cidr)) problems.push(`${block.cidr} outside ${pool.cidr}`);
    return problems;
  });
  const capacity = pools.map(
    (pool) => `${pool.name} ${pool.cidr}: ${2 ** (pool.blockSize - parseCidr(pool.cidr).prefix)} blocks of /${pool.blockSize}`,
  );
  return verdict(
    blocks.length > 0 && findings.length === 0,
    `every block to lie inside its pool, as a block of the pool's size aligned on that size (${capacity.join('; ')})`,
    findings.length ? findings.join('; ') : list(blocks.map((block) => block.cidr)),
    [],
    [listing('ipam-blocks', blocks), listing('ip-pools', pools)],
  );
}

/** The network address as written, as an integer (a misaligned block keeps host bits here). */
function parseCidrBase(cidr: string): number {
  return network(cidr)
    .split('.')
    .reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** L09-02: until a pod asks for it, a pool is unused: no affinity in it and no allocation in its blocks. */
export async function poolUnused(cluster: Cluster, poolName: string): Promise<Verdict> {
  const [pools, affinities, blocks] = await Promise.all([cluster.ipPools(), cluster.blockAffinities(), cluster.ipamBlocks()]);
  const pool = poolNamed(pools, poolName);
  const affine = affinities.filter((affinity) => cidrContains(pool.cidr, network(affinity.cidr)));
  const holding = blocks.filter((block) => cidrContains(pool.cidr, network(block.cidr)) && block.allocations.length > 0);
  return verdict(
    affine.length === 0 && holding.length === 0,
    `no BlockAffinity in ${pool.name} (${pool.cidr}) and no address allocated from it`,
    affine.length || holding.length
      ? `affinities ${list(affine.map((a) => a.name))}; blocks holding addresses ${list(holding.map((b) => `${b.cidr} (${b.allocations.length})`))}`
      : 'unused',
    [],
    [listing('block-affinities', affinities), listing('ipam-blocks', blocks)],
  );
}

/** L09-02: each node holds exactly one BlockAffinity in the pool; any affinity outside every pod pool is a LoadBalancer pool's virtual one. */
export async function oneAffinityPerNodeIn(cluster: Cluster, poolName: string): Promise<Verdict> {
  const [pools, affinities, nodes] = await Promise.all([cluster.ipPools(), cluster.blockAffinities(), cluster.nodes()]);
  const pool = poolNamed(pools, poolName);
  const findings: string[] = [];
  for (const node of nodes) {
    const count = affinities.filter((affinity) => affinity.node === node.name && cidrContains(pool.cidr, network(affinity.cidr))).length;
    if (count !== 1) findings.push(`${node.name} has ${count} in ${pool.name}`);
  }
  for (const affinity of affinities.filter((candidate) => !cidrContains(pool.cidr, network(candidate.cidr)))) {
    const lb = poolOf(pools, affinity.cidr);
    const virtual = affinity.type === 'virtual' && lb !== undefined && lb.allowedUses.includes('LoadBalancer');
    if (!virtual) findings.push(`${affinity.name} (${affinity.cidr}, type ${affinity.type}) lies outside ${pool.name}`);
  }
  return verdict(
    findings.length === 0,
    `one BlockAffinity per node, each in ${pool.name} (${pool.cidr}), and none elsewhere but a LoadBalancer pool's virtual one`,
    findings.length ? findings.join('; ') : list(affinities.map((a) => `${a.name} (${a.type})`)),
    [],
    [listing('block-affinities', affinities)],
  );
}

/** L09-03: every pod IP of the cluster and every node's tunnel address lies in the pool. */
export async function podsAndTunnelsIn(cluster: Cluster, poolName: string): Promise<Verdict> {
  const [pools, pods, nodes] = await Promise.all([cluster.ipPools(), cluster.pods(), cluster.nodes()]);
  const pool = poolNamed(pools, poolName);
  const tunnels = await tunnelAddresses(
    cluster,
    nodes.map((node) => node.name),
  );
  const outside = [
    ...pods
      .filter((pod) => !pod.hostNetwork && pod.ip !== undefined && !cidrContains(pool.cidr, pod.ip))
      .map((pod) => `pod ${pod.namespace}/${pod.name} ${pod.ip}`),
    ...[...tunnels.byNode].flatMap(([node, ips]) => ips.filter((ip) => !cidrContains(pool.cidr, ip)).map((ip) => `${node} tunnel ${ip}`)),
  ];
  const counted = pods.filter((pod) => !pod.hostNetwork && pod.ip).length;
  return verdict(
    counted > 0 && outside.length === 0,
    `every pod IP (${counted}) and every node's ${VXLAN_DEVICE} address to lie in ${pool.name} (${pool.cidr})`,
    outside.length ? list(outside) : `all in ${pool.cidr}; tunnels ${list([...tunnels.byNode.values()].flat())}`,
    tunnels.evidence,
    [
      listing(
        'pods',
        pods.map((pod) => ({ pod: `${pod.namespace}/${pod.name}`, ip: pod.ip })),
      ),
    ],
  );
}

/** L09-04: every pod of a workload has an IP in the pool. */
export async function workloadPodsIn(cluster: Cluster, workload: string, poolName: string): Promise<Verdict> {
  const [pools, pods] = await Promise.all([cluster.ipPools(), cluster.pods({ namespace: cluster.workloadNamespace, workload })]);
  const pool = poolNamed(pools, poolName);
  const outside = pods.filter((pod) => pod.ip === undefined || !cidrContains(pool.cidr, pod.ip));
  return verdict(
    pods.length > 0 && outside.length === 0,
    `every ${workload} pod (${pods.length}) to have an IP in ${pool.name} (${pool.cidr})`,
    outside.length
      ? outside.map((pod) => `${pod.name} on ${pod.node}: ${pod.ip ?? 'no IP'}`).join('; ')
      : pods.map((pod) => `${pod.name} ${pod.ip}`).join(', '),
    [],
    [listing('pods', pods)],
  );
}

/** L09-05: every node running a pod of the workload holds a BlockAffinity in the pool, named by the rule, and the pod's IP lies in that very block. */
export async function workloadPodsInOwnNodesBlockOf(cluster: Cluster, workload: string, poolName: string): Promise<Verdict> {
  const [pools, pods, affinities] = await Promise.all([
    cluster.ipPools(),
    cluster.pods({ namespace: cluster.workloadNamespace, workload }),
    cluster.blockAffinities(),
  ]);
  const pool = poolNamed(pools, poolName);
  const findings = pods.flatMap((pod: PodInfo) => {
    const own = affinities.filter((affinity) => affinity.node === pod.node && cidrContains(pool.cidr, network(affinity.cidr)));
    if (own.length === 0) return [`${pod.node} holds no BlockAffinity in ${pool.name}`];
    const problems: string[] = [];
    for (const affinity of own) {
      if (affinity.name !== blockAffinityName(affinity.node, affinity.cidr)) problems.push(`${affinity.name} is not named by the rule`);
      if (parseCidr(affinity.cidr, { loose: true }).prefix !== pool.blockSize)
        problems.push(`${affinity.cidr} is not a /${pool.blockSize}`);
    }
    if (pod.ip === undefined || !own.some((affinity) => cidrContains(affinity.cidr, pod.ip as string)))
      problems.push(`${pod.name} on ${pod.node} has ${pod.ip ?? 'no IP'}, outside ${list(own.map((a) => a.cidr))}`);
    return problems;
  });
  return verdict(
    pods.length > 0 && findings.length === 0,
    `every node running a ${workload} pod to hold a /${pool.blockSize} BlockAffinity in ${pool.name}, named <node>-<cidr with dashes>, and the pod's IP to lie in it`,
    findings.length ? findings.join('; ') : pods.map((pod) => `${pod.name} ${pod.ip} on ${pod.node}`).join(', '),
    [],
    [listing('pods', pods), listing('block-affinities', affinities)],
  );
}

/** L01-01: every node is a Kind node container (its image's /kind/version) with an InternalIP on Docker's kind network. */
/** Docker's network `kind`, where Kind puts its node containers. */
const KIND_NETWORK = '172.18.0.0/16';

export async function nodesAreKindContainers(cluster: Cluster, kindNetwork = KIND_NETWORK): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({
      node,
      version: await kindVersion(cluster, nodeTarget(node.name)),
    })),
  );
  const findings = seen.flatMap(({ node, version }) => [
    ...(version.value !== undefined ? [] : [`${node.name} has no /kind/version`]),
    ...(cidrContains(kindNetwork, node.internalIP) ? [] : [`${node.name} InternalIP ${node.internalIP} is outside ${kindNetwork}`]),
  ]);
  return verdict(
    nodes.length > 0 && findings.length === 0,
    `every node (${nodes.length}) to be a Kind node container with its InternalIP on the kind network ${kindNetwork}`,
    findings.length
      ? findings.join('; ')
      : seen.map(({ node, version }) => `${node.name} ${node.internalIP} kindest/node ${version.value}`).join('; '),
    seen.flatMap(({ version }) => version.evidence),
  );
}

/** L01-02: `kubectl get tigerastatus` lists the components, each Available and not Degraded. */
export async function calicoComponentsHealthy(cluster: Cluster, names: string[]): Promise<Verdict> {
  const components = await cluster.calicoComponents();
  const wrong = names.filter((name) => {
    const component = components.find((candidate) => candidate.name === name);
    return !component || !component.available || component.degraded;
  });
  return verdict(
    wrong.length === 0,
    `TigeraStatus ${list(names)} each AVAILABLE True and DEGRADED False`,
    components.map((c) => `${c.name}: available ${c.available}, degraded ${c.degraded}`).join('; ') || 'no TigeraStatus',
    [],
    [listing('tigerastatus', components)],
  );
}

/**
 * L10-02 (and L09-02's exception): the LoadBalancer pool's block is held by Calico's
 * kube-controllers, not by a node: one BlockAffinity per LoadBalancer pool block, of type
 * `virtual`, for the node name `load-balancer`, named `load-balancer-<cidr with dashes>`.
 */
export async function loadBalancerBlockIsVirtual(cluster: Cluster): Promise<Verdict> {
  const [pools, affinities] = await Promise.all([cluster.ipPools(), cluster.blockAffinities()]);
  const lbPools = pools.filter((pool) => pool.allowedUses.includes('LoadBalancer'));
  const held = affinities.filter((affinity) => lbPools.some((pool) => cidrContains(pool.cidr, network(affinity.cidr))));
  const wrong = held.filter(
    (affinity) =>
      affinity.type !== 'virtual' ||
      affinity.node !== LOAD_BALANCER_NODE ||
      affinity.name !== blockAffinityName(LOAD_BALANCER_NODE, affinity.cidr),
  );
  return verdict(
    lbPools.length > 0 && held.length > 0 && wrong.length === 0,
    `the LoadBalancer pool's block (${list(lbPools.map((pool) => pool.cidr))}) has a BlockAffinity of type virtual for node ${LOAD_BALANCER_NODE}, named ${LOAD_BALANCER_NODE}-<cidr with dashes>`,
    held.length
      ? list(held.map((a) => `${a.name} (type ${a.type}, node ${a.node}, ${a.cidr})`))
      : 'no BlockAffinity in the LoadBalancer pool',
    [],
    [listing('block-affinities', affinities)],
  );
}

/** The node name Calico's kube-controllers give the LoadBalancer pool's block affinity. */
const LOAD_BALANCER_NODE = 'load-balancer';
