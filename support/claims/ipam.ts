/** Claims about Calico's IPAM: per-node blocks, and pods inside their node's block. */
import type { IpamBlock, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { cidrContains, cidrsOverlap, parseCidr } from '../net/cidr.ts';

function blockOf(blocks: IpamBlock[], ip: string | undefined): IpamBlock | undefined {
  return ip === undefined ? undefined : blocks.find((block) => cidrContains(block.cidr, ip));
}

async function suitePods(cluster: Cluster): Promise<PodInfo[]> {
  return (await cluster.pods({ namespace: cluster.workloadNamespace })).filter((pod) => !pod.hostNetwork && pod.ip);
}

export async function everyNodeHasBlock(cluster: Cluster): Promise<Verdict> {
  const [nodes, blocks, pools] = await Promise.all([cluster.nodes(), cluster.ipamBlocks(), cluster.ipPools()]);
  const sizes = new Set(pools.map((pool) => pool.blockSize));
  const rows = nodes.map((node) => {
    const own = blocks.filter((block) => block.node === node.name);
    const fitting = own.filter(
      (block) =>
        sizes.has(parseCidr(block.cidr).prefix) && pools.some((pool) => cidrContains(pool.cidr, block.cidr.split('/')[0] as string)),
    );
    return { node: node.name, own, ok: fitting.length > 0 };
  });
  return verdict(
    rows.every((row) => row.ok),
    `every node to hold its own block of /${list([...sizes])} from the pool`,
    rows.map((row) => `${row.node}: ${list(row.own.map((block) => block.cidr))}`).join('; '),
    [],
    [listing('ipam-blocks', blocks), listing('ip-pools', pools)],
  );
}

export async function podsInTheirNodesBlock(cluster: Cluster): Promise<Verdict> {
  const [pods, blocks] = await Promise.all([suitePods(cluster), cluster.ipamBlocks()]);
  const wrong = pods.filter((pod) => blockOf(blocks, pod.ip)?.node !== pod.node);
  return verdict(
    pods.length > 0 && wrong.length === 0,
    `the IP of every pod (${pods.length}) to lie in a block affine to the pod's own node`,
    wrong.length === 0
      ? 'every pod in its node’s block'
      : wrong
          .map(
            (pod) =>
              `${pod.name} on ${pod.node} has ${pod.ip}, in ${blockOf(blocks, pod.ip)?.cidr ?? 'no block'} of ${blockOf(blocks, pod.ip)?.node ?? 'no node'}`,
          )
          .join('; '),
    [],
    [listing('pods', pods), listing('ipam-blocks', blocks)],
  );
}

export async function blocksDoNotOverlap(cluster: Cluster): Promise<Verdict> {
  const blocks = await cluster.ipamBlocks();
  const clashes: string[] = [];
  blocks.forEach((a, i) =>
    blocks.slice(i + 1).forEach((b) => cidrsOverlap(a.cidr, b.cidr) && clashes.push(`${a.cidr} (${a.node}) ∩ ${b.cidr} (${b.node})`)),
  );
  return verdict(
    blocks.length > 0 && clashes.length === 0,
    `no two IPAM blocks to overlap (${blocks.length} blocks)`,
    clashes.length ? list(clashes) : blocks.length ? 'no overlap' : 'no blocks at all',
    [],
    [listing('ipam-blocks', blocks)],
  );
}

export async function blocksSharedOnlyOnANode(cluster: Cluster): Promise<Verdict> {
  const [pods, blocks] = await Promise.all([suitePods(cluster), cluster.ipamBlocks()]);
  const findings: string[] = [];
  for (const [i, a] of pods.entries()) {
    for (const b of pods.slice(i + 1)) {
      const shared = blockOf(blocks, a.ip) !== undefined && blockOf(blocks, a.ip) === blockOf(blocks, b.ip);
      if (a.node !== b.node && shared)
        findings.push(`${a.name} (${a.node}) and ${b.name} (${b.node}) share ${blockOf(blocks, a.ip)?.cidr}`);
      // Pods of one node share a block unless the node's first block was full.
      if (a.node === b.node && !shared && blocks.filter((block) => block.node === a.node).length === 1) {
        findings.push(`${a.name} and ${b.name} on ${a.node} are in different blocks`);
      }
    }
  }
  return verdict(
    pods.length > 1 && findings.length === 0,
    'pods on the same node to share a block and pods on different nodes not to',
    findings.length ? findings.join('; ') : `${pods.length} pods checked`,
    [],
    [listing('pods', pods), listing('ipam-blocks', blocks)],
  );
}
