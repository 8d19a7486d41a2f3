/**
 * Calico-style IPAM for the embedded lab.
 *
 * The pool is cut into blocks of `blockSize`. A node claims a block the first time it needs
 * an address and none of its blocks has room; addresses come from the block's list of
 * unallocated ordinals, front first, and a released ordinal goes to the back of that list
 * (so a freed address is not handed out again at once), as Calico's blocks do.
 * The first block a node tries is picked from the node name, not the pool's start, so that
 * blocks look as scattered as a real cluster's yet a lab is the same every time it is built.
 */
import { createHash } from 'node:crypto';
import { cidrContains, formatCidr, ipToInt, nthAddress, parseCidr, subBlock, type Cidr } from '../../net/cidr.ts';
import type { IpamBlock } from '../cluster.ts';

export interface PoolConfig {
  cidr: string;
  blockSize: number;
}

export interface BlockState {
  cidr: string;
  node: string;
  /** ordinal → holder */
  allocations: Record<number, string>;
  unallocated: number[];
  /** ordinal → Calico's handle and attributes for the allocation, as libcalico-go IPAM records them. */
  attributes?: Record<number, AllocationRecord>;
}

export interface AllocationRecord {
  handle: string;
  attributes: Record<string, string>;
}

export interface IpamState {
  pool: PoolConfig;
  blocks: BlockState[];
}

export class IpamExhaustedError extends Error {
  override readonly name = 'IpamExhaustedError';
}

export class Ipam {
  private readonly pool: Cidr;
  private readonly blocks: BlockState[];

  constructor(readonly config: PoolConfig, blocks: BlockState[] = []) {
    this.pool = parseCidr(config.cidr);
    if (config.blockSize < this.pool.prefix || config.blockSize > 32) {
      throw new Error(`block size /${config.blockSize} does not fit pool ${config.cidr}`);
    }
    this.blocks = blocks.map(copyBlock);
  }

  static fromState(state: IpamState): Ipam {
    return new Ipam(state.pool, state.blocks);
  }

  toState(): IpamState {
    return { pool: { ...this.config }, blocks: this.blocks.map(copyBlock) };
  }

  /** Assigns the next free address of the node's blocks to `holder`, claiming a block if needed. */
  assign(node: string, holder: string, record?: AllocationRecord): string {
    const block = this.blocks.find((candidate) => candidate.node === node && candidate.unallocated.length > 0) ?? this.claimBlock(node);
    const ordinal = block.unallocated.shift() as number;
    block.allocations[ordinal] = holder;
    if (record) block.attributes = { ...(block.attributes ?? {}), [ordinal]: record };
    return nthAddress(parseCidr(block.cidr), ordinal);
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

  /** The blocks in the port's shape. */
  view(): IpamBlock[] {
    return this.blocks.map((block) => {
      const cidr = parseCidr(block.cidr);
      return {
        cidr: block.cidr,
        node: block.node,
        allocations: Object.entries(block.allocations)
          .map(([ordinal, holder]) => {
            const record = block.attributes?.[Number(ordinal)];
            return { ip: nthAddress(cidr, Number(ordinal)), holder, ...(record ? { handle: record.handle, attributes: { ...record.attributes } } : {}) };
          })
          .sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip)),
      };
    });
  }

  private claimBlock(node: string): BlockState {
    const blockCount = 2 ** (this.config.blockSize - this.pool.prefix);
    const claimed = new Set(this.blocks.map((block) => block.cidr));
    const start = startingBlock(node, blockCount);
    for (let step = 0; step < blockCount; step++) {
      const cidr = formatCidr(subBlock(this.pool, this.config.blockSize, (start + step) % blockCount));
      if (claimed.has(cidr)) continue;
      const size = 2 ** (32 - this.config.blockSize);
      const block: BlockState = { cidr, node, allocations: {}, unallocated: Array.from({ length: size }, (_, i) => i) };
      this.blocks.push(block);
      return block;
    }
    throw new IpamExhaustedError(`pool ${this.config.cidr} has no free /${this.config.blockSize} block left for node ${node}`);
  }
}

function copyBlock(block: BlockState): BlockState {
  return {
    ...block,
    allocations: { ...block.allocations },
    unallocated: [...block.unallocated],
    ...(block.attributes ? { attributes: Object.fromEntries(Object.entries(block.attributes).map(([ordinal, record]) => [ordinal, { handle: record.handle, attributes: { ...record.attributes } }])) } : {}),
  };
}

function startingBlock(node: string, blockCount: number): number {
  return createHash('sha256').update(node).digest().readUInt32BE(0) % blockCount;
}
