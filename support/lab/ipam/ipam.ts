/**
 * Calico-style IPAM for the embedded lab, after libcalico-go/lib/ipam of Calico v3.30.0
 * (ipam.go, ipam_block.go) and cni-plugin/pkg/ipamplugin/ipam_plugin.go.
 *
 * - Pools are cut into blocks of `blockSize`; a block belongs to one node (its affinity,
 *   state confirmed) from the moment the node claims it.
 * - Automatic assignment (`autoAssign`, ipam.go): the pools are the requested ones when a pod
 *   names some (`cni.projectcalico.org/ipv4pools`), whatever their node selector; otherwise
 *   the pools whose nodeSelector selects the node and whose allowedUses include the use
 *   (Workload for pods, Tunnel for a node's VXLAN address) — `determinePools`. The node's
 *   affine blocks in those pools come first; empty blocks of pools that no longer select the
 *   node are released on the way (`prepareAffinityBlocksForHost`). Then a new block is
 *   claimed; when no pool has a free block left, an address is borrowed from another node's
 *   block (non-strict affinity). Reserved addresses (IPReservation) are skipped, and a block
 *   made only of reserved addresses is never claimed (`block.autoAssign`, `MatchesWholeCIDR`).
 * - An explicit address (`AssignIP`, for `cni.projectcalico.org/ipAddrs`): refused unless a
 *   pool holds it ("The provided IP address is not in a configured pool"); its block is
 *   claimed for the node when nobody has it yet, and used as it is when another node has it
 *   (borrowing); reservations do not apply; an address already held fails with
 *   "Address already assigned in block".
 * - Addresses come from the block's list of unallocated ordinals, front first; a released
 *   ordinal goes to the back (`block.release`), so a freed address is not handed out at once.
 *   A node keeps its emptied blocks (the affinity stays), as Calico does.
 * - Each allocation keeps its attributes as the CNI plugin writes them: handle
 *   `k8s-pod-network.<containerID>`, namespace, pod, node (`AttributeNamespace`, …).
 *
 * The first block a node tries is picked from the node name (without the lab's name, so that
 * every lab of a topology gets the same blocks), not the pool's start, so that blocks look as
 * scattered as a real cluster's (Calico picks at random) yet a lab is the same every time.
 */
import { createHash } from 'node:crypto';
import { cidrContains, formatCidr, intToIp, ipToInt, nthAddress, parseCidr, subBlock, type Cidr } from '../../net/cidr.ts';
import type { IpamBlock } from '../../domain.ts';
import { blockAffinityName } from '../../net/calico.ts';

export type AllowedUse = 'Workload' | 'Tunnel' | 'LoadBalancer';

export interface PoolConfig {
  cidr: string;
  blockSize: number;
  /** The IPPool's name; defaults to the CIDR. */
  name?: string;
  /** Calico selector; the lab understands `all()` and `!all()`. Default `all()`. */
  nodeSelector?: string;
  /** Default: Workload and Tunnel, as Calico's. */
  allowedUses?: AllowedUse[];
}

export interface ReservationConfig {
  name: string;
  cidrs: string[];
}

export interface BlockState {
  cidr: string;
  /** The node the block is affine to (BlockAffinity spec.node; block spec.affinity `host:<node>`). */
  node: string;
  /** ordinal → holder (`<namespace>/<pod>`, `vxlan-tunnel-addr:<node>`) */
  allocations: Record<number, string>;
  /** ordinal → the allocation's attributes (handle_id and the secondary attributes). */
  attributes?: Record<number, Record<string, string>>;
  unallocated: number[];
  /** The BlockAffinity's name when it is not Calico's rule (only a fault sets it). */
  affinityName?: string;
}

export interface IpamState {
  pools: PoolConfig[];
  blocks: BlockState[];
  reservations: ReservationConfig[];
  /** The lab's name, left out of node names where they pick their first block (see startingBlock). */
  labName?: string;
}

export interface AssignOptions {
  /** Pool names or CIDRs the request names (`cni.projectcalico.org/ipv4pools`). */
  pools?: string[];
  use?: AllowedUse;
  attributes?: Record<string, string>;
  /** Only a fault sets it: hand out reserved addresses as any other. */
  ignoreReservations?: boolean;
}

export interface BlockAffinityView {
  name: string;
  node: string;
  cidr: string;
  state: 'confirmed';
  deleted: 'false';
  type: 'host' | 'virtual';
}

/**
 * The node name Calico's LoadBalancer IPAM allocates under (api.VirtualLoadBalancer): kube-controllers'
 * loadbalancer controller (calico v3.30, kube-controllers/pkg/controllers/loadbalancer/loadbalancer_controller.go
 * assignIP) auto-assigns with Hostname "load-balancer" and IntendedUse LoadBalancer, so the block is
 * affine to that name with affinity type `virtual` (block affinity `virtual:load-balancer`).
 */
export const LOAD_BALANCER_NODE = 'load-balancer';

/** A block of a real node (not the LoadBalancer IPAM's virtual one): Felix routes it, BIRD exports it. */
export function isHostBlock(block: Pick<BlockState, 'node'>): boolean {
  return block.node !== LOAD_BALANCER_NODE;
}

export interface Utilization {
  /** Pool name, or the block's CIDR for a block row. */
  name: string;
  cidr: string;
  total: number;
  inUse: number;
  free: number;
}

export class IpamExhaustedError extends Error {
  override readonly name = 'IpamExhaustedError';
}

/** Calico IPAM's refusals, with the upstream messages. */
export class IpamAssignError extends Error {
  override readonly name = 'IpamAssignError';
}

export const NOT_IN_POOL_MESSAGE = 'The provided IP address is not in a configured pool';
export const ALREADY_ASSIGNED_MESSAGE = 'Address already assigned in block';

const DEFAULT_USES: AllowedUse[] = ['Workload', 'Tunnel'];

function poolName(pool: PoolConfig): string {
  return pool.name ?? pool.cidr;
}

/** Calico selectors, as far as the lab's fixtures use them. */
export function selectsNode(selector: string | undefined, _node: string): boolean {
  const text = (selector ?? 'all()').replace(/\s+/g, '');
  if (text === '' || text === 'all()') return true;
  if (text === '!all()') return false;
  throw new Error(`the embedded lab understands the pool nodeSelectors all() and !all() only, not "${selector}"`);
}

function cloneBlock(block: BlockState): BlockState {
  return {
    ...block,
    allocations: { ...block.allocations },
    ...(block.attributes ? { attributes: Object.fromEntries(Object.entries(block.attributes).map(([k, v]) => [k, { ...v }])) } : {}),
    unallocated: [...block.unallocated],
  };
}

export class Ipam {
  readonly pools: PoolConfig[];
  private blocks: BlockState[];
  readonly reservations: ReservationConfig[];

  constructor(
    pools: PoolConfig | PoolConfig[],
    blocks: BlockState[] = [],
    reservations: ReservationConfig[] = [],
    readonly labName?: string,
  ) {
    this.pools = (Array.isArray(pools) ? pools : [pools]).map((pool) => ({ ...pool }));
    for (const pool of this.pools) {
      const cidr = parseCidr(pool.cidr);
      if (pool.blockSize < cidr.prefix || pool.blockSize > 32)
        throw new Error(`block size /${pool.blockSize} does not fit pool ${pool.cidr}`);
    }
    this.blocks = blocks.map(cloneBlock);
    this.reservations = reservations.map((reservation) => ({ ...reservation, cidrs: [...reservation.cidrs] }));
  }

  static fromState(state: IpamState): Ipam {
    return new Ipam(state.pools, state.blocks, state.reservations, state.labName);
  }

  toState(): IpamState {
    return {
      pools: this.pools.map((pool) => ({ ...pool })),
      blocks: this.blocks.map(cloneBlock),
      reservations: this.reservations.map((r) => ({ ...r, cidrs: [...r.cidrs] })),
      ...(this.labName !== undefined ? { labName: this.labName } : {}),
    };
  }

  /** Automatic assignment of one address to `holder` on `node` (see the module comment). */
  assign(node: string, holder: string, options: AssignOptions = {}): string {
    const pools = this.poolsFor(node, options);
    this.releaseEmptyBlocksOutside(node, pools);
    const inPools = (block: BlockState) => pools.some((pool) => cidrContains(pool.cidr, block.cidr.split('/')[0] as string));
    // In the order the Kubernetes API lists the node's BlockAffinities: by name (getAffineBlocks).
    const affine = this.blocks
      .filter((block) => block.node === node && inPools(block))
      .sort((a, b) => blockAffinityName(a.node, a.cidr).localeCompare(blockAffinityName(b.node, b.cidr)));
    const reserved = options.ignoreReservations ? () => false : (ip: string) => this.isReserved(ip);
    for (const block of affine) {
      const ip = this.takeFree(block, holder, options.attributes, reserved);
      if (ip) return ip;
    }
    for (const pool of pools) {
      const block = this.claimFreeBlock(pool, node);
      if (block) return this.takeFree(block, holder, options.attributes, reserved) as string;
    }
    // Every block of the pools is claimed: borrow from another node's block (non-strict affinity).
    for (const block of this.blocks.filter((candidate) => candidate.node !== node && inPools(candidate))) {
      const ip = this.takeFree(block, holder, options.attributes, reserved);
      if (ip) return ip;
    }
    throw new IpamExhaustedError(`no free address left for node ${node} in pool(s) ${pools.map(poolName).join(', ')}`);
  }

  /** Assignment of an explicit address (AssignIP): no reservation check, borrowing allowed. */
  assignIP(node: string, ip: string, holder: string, attributes?: Record<string, string>, { overwrite = false } = {}): string {
    const pool = this.pools.find((candidate) => cidrContains(candidate.cidr, ip));
    if (!pool) throw new IpamAssignError(NOT_IN_POOL_MESSAGE);
    const blockCidr = formatCidr(parseCidr(`${ip}/${pool.blockSize}`, { loose: true }));
    const block = this.blocks.find((candidate) => candidate.cidr === blockCidr) ?? this.newBlock(blockCidr, node);
    const ordinal = ipToInt(ip) - parseCidr(block.cidr).base;
    // `overwrite`: only a fault sets it (an IPAM that hands a held address out again).
    if (block.allocations[ordinal] !== undefined && !overwrite) throw new IpamAssignError(ALREADY_ASSIGNED_MESSAGE);
    block.unallocated = block.unallocated.filter((free) => free !== ordinal);
    this.record(block, ordinal, holder, attributes);
    return ip;
  }

  /** Returns an address to its block. Unknown or free addresses are an error: a double release is a bug. */
  release(ip: string): void {
    const block = this.blockOf(ip);
    const ordinal = ipToInt(ip) - parseCidr(block?.cidr ?? '0.0.0.0/32').base;
    if (!block || block.allocations[ordinal] === undefined) throw new Error(`cannot release ${ip}: it is not allocated`);
    delete block.allocations[ordinal];
    if (block.attributes) delete block.attributes[ordinal];
    block.unallocated.push(ordinal);
  }

  blockOf(ip: string): BlockState | undefined {
    return this.blocks.find((block) => cidrContains(block.cidr, ip));
  }

  isReserved(ip: string): boolean {
    return this.reservations.some((reservation) => reservation.cidrs.some((cidr) => cidrContains(cidr, ip)));
  }

  /** The blocks in the port's shape. */
  view(): IpamBlock[] {
    return this.blocks.map((block) => {
      const cidr = parseCidr(block.cidr);
      return {
        cidr: block.cidr,
        node: block.node,
        allocations: Object.entries(block.allocations)
          .map(([ordinal, holder]) => ({
            ip: nthAddress(cidr, Number(ordinal)),
            holder,
            // Calico's handle (k8s-pod-network.<containerID>, vxlan-tunnel-addr-<node>) is the attributes' handle_id.
            ...(block.attributes?.[Number(ordinal)]?.handle_id ? { handle: block.attributes[Number(ordinal)]?.handle_id } : {}),
            ...(block.attributes?.[Number(ordinal)] ? { attributes: { ...block.attributes[Number(ordinal)] } } : {}),
          }))
          .sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip)),
      };
    });
  }

  /** The BlockAffinity objects Calico keeps for the blocks, named as its Kubernetes backend names them. */
  affinities(): BlockAffinityView[] {
    return this.blocks.map((block) => ({
      name: block.affinityName ?? blockAffinityName(block.node, block.cidr),
      node: block.node,
      cidr: block.cidr,
      state: 'confirmed',
      deleted: 'false',
      type: isHostBlock(block) ? 'host' : 'virtual',
    }));
  }

  /**
   * What `calicoctl ipam show` (and `--show-blocks`) counts (ipam.go GetUtilization): per pool
   * its size, the addresses allocated in its blocks, and the rest; per block its size and its
   * unallocated ordinals (reserved addresses count as free, as upstream).
   */
  utilization(): { pools: Utilization[]; blocks: Utilization[] } {
    const inUse = (block: BlockState) => Object.keys(block.allocations).length;
    const pools = this.pools.map((pool) => {
      const total = parseCidr(pool.cidr).size;
      const used = this.blocks
        .filter((block) => cidrContains(pool.cidr, block.cidr.split('/')[0] as string))
        .reduce((sum, block) => sum + inUse(block), 0);
      return { name: poolName(pool), cidr: pool.cidr, total, inUse: used, free: total - used };
    });
    const blocks = this.blocks.map((block) => {
      const total = parseCidr(block.cidr).size;
      return { name: block.cidr, cidr: block.cidr, total, inUse: total - block.unallocated.length, free: block.unallocated.length };
    });
    return { pools, blocks };
  }

  /** determinePools: the requested pools unconditionally, else those selecting the node for this use. */
  private poolsFor(node: string, options: AssignOptions): PoolConfig[] {
    if (options.pools?.length) {
      return options.pools.map((wanted) => {
        const pool = this.pools.find((candidate) => poolName(candidate) === wanted || candidate.cidr === wanted);
        if (!pool) throw new IpamAssignError(`the given pool (${wanted}) does not exist, or is not enabled`);
        return pool;
      });
    }
    const use = options.use ?? 'Workload';
    const pools = this.pools.filter((pool) => (pool.allowedUses ?? DEFAULT_USES).includes(use) && selectsNode(pool.nodeSelector, node));
    if (pools.length === 0) throw new IpamAssignError(`no configured Calico pools for node ${node}`);
    return pools;
  }

  /** prepareAffinityBlocksForHost: the node's empty blocks in pools that do not select it any more are released. */
  private releaseEmptyBlocksOutside(node: string, pools: PoolConfig[]): void {
    const selecting = this.pools.filter((pool) => selectsNode(pool.nodeSelector, node) || pools.includes(pool));
    this.blocks = this.blocks.filter(
      (block) =>
        block.node !== node ||
        Object.keys(block.allocations).length > 0 ||
        selecting.some((pool) => cidrContains(pool.cidr, block.cidr.split('/')[0] as string)),
    );
  }

  private takeFree(
    block: BlockState,
    holder: string,
    attributes: Record<string, string> | undefined,
    reserved: (ip: string) => boolean,
  ): string | undefined {
    const base = parseCidr(block.cidr).base;
    const index = block.unallocated.findIndex((ordinal) => !reserved(intToIp(base + ordinal)));
    if (index < 0) return undefined;
    const [ordinal] = block.unallocated.splice(index, 1) as [number];
    this.record(block, ordinal, holder, attributes);
    return intToIp(base + ordinal);
  }

  private record(block: BlockState, ordinal: number, holder: string, attributes?: Record<string, string>): void {
    block.allocations[ordinal] = holder;
    if (attributes) (block.attributes ??= {})[ordinal] = { ...attributes };
  }

  private claimFreeBlock(pool: PoolConfig, node: string): BlockState | undefined {
    const cidr = parseCidr(pool.cidr);
    const blockCount = 2 ** (pool.blockSize - cidr.prefix);
    const claimed = new Set(this.blocks.map((block) => block.cidr));
    const start = startingBlock(this.labName && node.startsWith(`${this.labName}-`) ? node.slice(this.labName.length) : node, blockCount);
    for (let step = 0; step < blockCount; step++) {
      const candidate = subBlock(cidr, pool.blockSize, (start + step) % blockCount);
      const text = formatCidr(candidate);
      if (claimed.has(text) || this.whollyReserved(candidate)) continue;
      return this.newBlock(text, node);
    }
    return undefined;
  }

  private whollyReserved(block: Cidr): boolean {
    return this.reservations.some((reservation) =>
      reservation.cidrs.some((cidr) => {
        const reserved = parseCidr(cidr);
        return reserved.prefix <= block.prefix && cidrContains(cidr, intToIp(block.base));
      }),
    );
  }

  private newBlock(cidr: string, node: string): BlockState {
    const size = parseCidr(cidr).size;
    const block: BlockState = { cidr, node, allocations: {}, unallocated: Array.from({ length: size }, (_, i) => i) };
    this.blocks.push(block);
    return block;
  }
}

function startingBlock(node: string, blockCount: number): number {
  return createHash('sha256').update(node).digest().readUInt32BE(0) % blockCount;
}
