/**
 * Runbooks of lessons 01, 09 and 16: Calico's IPAM objects that do not add up, fixed
 * addresses and reservations not honoured, natOutgoing that does not translate (or translates
 * too much). Pure functions of the gathered evidence.
 */
import { blockAffinityName, IP_ADDRS_ANNOTATION, POOLS_ANNOTATION } from '../net/calico.ts';
import { cidrContains, parseCidr } from '../net/cidr.ts';
import type { Gathered } from './evidence.ts';
import type { Runbook } from './runbook.ts';

const network = (cidr: string) => cidr.split('/')[0] as string;

function requested(annotations: Record<string, string>): string | undefined {
  try {
    const list = JSON.parse(annotations[IP_ADDRS_ANNOTATION] ?? '') as unknown;
    return Array.isArray(list) ? list.map(String).find((ip) => !ip.includes(':')) : undefined;
  } catch {
    return undefined;
  }
}

const SETTINGS = ['cidr', 'blockSize', 'encapsulation', 'natOutgoing', 'nodeSelector', 'disableBGPExport'] as const;

function ipamObjectCauses(evidence: Gathered): string[] {
  const { pools, installationPools, affinities } = evidence.ipam;
  const causes: string[] = [];
  for (const declared of installationPools) {
    const pool = pools.find((candidate) => candidate.name === declared.name);
    if (!pool) causes.push(`the Installation declares pool ${declared.name}, but no IPPool of that name exists`);
    else
      for (const key of SETTINGS)
        if (pool[key] !== declared[key])
          causes.push(
            `IPPool ${pool.name} has ${key} ${String(pool[key])} where the Installation declares ${String(declared[key])} (edited after install?)`,
          );
  }
  for (const affinity of affinities) {
    if (affinity.name !== blockAffinityName(affinity.node, affinity.cidr))
      causes.push(
        `BlockAffinity ${affinity.name} is not named <node>-<cidr>: for ${affinity.node} ${affinity.cidr} Calico would name it ${blockAffinityName(affinity.node, affinity.cidr)}`,
      );
  }
  for (const block of evidence.blocks) {
    const pool = pools.find((candidate) => cidrContains(candidate.cidr, network(block.cidr)));
    const prefix = parseCidr(block.cidr, { loose: true }).prefix;
    if (pool && prefix !== pool.blockSize)
      causes.push(`block ${block.cidr} is a /${prefix}, but ${pool.name} cuts /${pool.blockSize} blocks`);
    const podsInBlock = evidence.pods.filter((pod) => !pod.hostNetwork && pod.ip && cidrContains(block.cidr, pod.ip));
    const elsewhere = [...new Set(podsInBlock.map((pod) => pod.node).filter((node) => node !== block.node))];
    if (elsewhere.length && podsInBlock.every((pod) => pod.node !== block.node))
      causes.push(
        `block ${block.cidr} is affine to ${block.node}, but its pods run on ${elsewhere.join(', ')}: the BlockAffinity points at the wrong node`,
      );
    const held = new Set(evidence.pods.filter((pod) => pod.ip).map((pod) => pod.ip));
    const leaked = block.allocations.filter((allocation) => !held.has(allocation.ip) && !allocation.holder.includes('tunnel-addr'));
    if (leaked.length)
      causes.push(
        `block ${block.cidr} holds ${leaked.length} allocations no pod has (e.g. ${leaked[0]?.ip} for ${leaked[0]?.holder}): leaked addresses count as in use`,
      );
  }
  for (const pool of pools.filter((candidate) => candidate.nodeSelector.replace(/\s/g, '') === '!all()')) {
    const stray = evidence.pods.filter(
      (pod) => pod.ip && cidrContains(pool.cidr, pod.ip) && !pod.annotations[POOLS_ANNOTATION]?.includes(pool.name),
    );
    for (const pod of stray)
      causes.push(
        `${pod.name} has ${pod.ip} from ${pool.name}, which selects no node, though the pod does not name the pool (an ipv4pools annotation on its namespace?)`,
      );
  }
  for (const pod of evidence.pods.filter((candidate) => candidate.annotations[POOLS_ANNOTATION] && candidate.ip)) {
    let named: string[] = [];
    try {
      named = (JSON.parse(pod.annotations[POOLS_ANNOTATION] as string) as unknown[]).map(String);
    } catch {
      causes.push(`${pod.name}'s ${POOLS_ANNOTATION} annotation is not a JSON list`);
    }
    const inNamed = pools
      .filter((pool) => named.includes(pool.name) || named.includes(pool.cidr))
      .some((pool) => cidrContains(pool.cidr, pod.ip as string));
    if (named.length && !inNamed)
      causes.push(`${pod.name} names ${named.join(', ')} in ${POOLS_ANNOTATION}, yet has ${pod.ip}: the CNI plugin ignored the annotation`);
  }
  return causes;
}

function fixedAddressCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  const reserved = (ip: string) =>
    evidence.ipam.reservations.find((reservation) => reservation.reservedCIDRs.some((cidr) => cidrContains(cidr, ip)));
  for (const reservation of evidence.ipam.reservations)
    causes.push(`IPReservation ${reservation.name} reserves ${reservation.reservedCIDRs.join(', ')}: compare it with its manifest`);
  const byIP = new Map<string, string[]>();
  for (const pod of evidence.pods.filter((candidate) => candidate.ip && !candidate.hostNetwork))
    byIP.set(pod.ip as string, [...(byIP.get(pod.ip as string) ?? []), pod.name]);
  for (const [ip, holders] of byIP)
    if (holders.length > 1) causes.push(`${ip} is held by ${holders.join(' and ')}: IPAM handed a fixed address out twice`);
  for (const pod of evidence.pods.filter((candidate) => candidate.ip && !candidate.hostNetwork)) {
    const wanted = requested(pod.annotations);
    const reservation = reserved(pod.ip as string);
    if (wanted === undefined && reservation)
      causes.push(
        `${pod.name} got ${pod.ip} automatically, inside IPReservation ${reservation.name}: IPAM does not skip reserved addresses`,
      );
    if (wanted !== undefined && wanted !== pod.ip) {
      const inPool = evidence.ipam.pools.some((pool) => cidrContains(pool.cidr, wanted));
      causes.push(
        inPool
          ? `${pod.name} asks for ${wanted} (${IP_ADDRS_ANNOTATION}) but has ${pod.ip}: the CNI plugin assigned automatically, or the annotation was added after the pod was created`
          : `${pod.name} asks for ${wanted}, outside every pool, yet runs with ${pod.ip}: Calico IPAM would refuse it ("The provided IP address is not in a configured pool")`,
      );
    }
  }
  return causes;
}

function natOutgoingCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  for (const view of evidence.nodes) {
    const masquerade = view.natOutgoingRules.filter((rule) => /MASQUERADE/.test(rule));
    if (masquerade.length === 0)
      causes.push(
        `node ${view.node.name} has no MASQUERADE rule in cali-nat-outgoing: pods' packets leave it with their own address (natOutgoing not programmed)`,
      );
    for (const rule of masquerade.filter((candidate) => !/! --match-set cali40all-ipam-pools dst/.test(candidate))) {
      causes.push(
        `node ${view.node.name} masquerades without excluding destinations inside the pools, so pod-to-pod traffic is translated too: ${rule}`,
      );
    }
  }
  for (const pool of evidence.ipam.pools.filter((candidate) => !candidate.natOutgoing))
    causes.push(
      `pool ${pool.name} (${pool.cidr}) has natOutgoing false: its pods leave with their own address; if the node's address is seen instead, a node's Felix still holds ${pool.cidr} in cali40masq-ipam-pools (ipset list cali40masq-ipam-pools)`,
    );
  return causes;
}

export const IPAM_RUNBOOKS: Runbook[] = [
  {
    title: "Calico's IPAM objects do not add up (pools, blocks, BlockAffinities)",
    claims: ['L01-03', 'L01-04', 'L01-05', 'L01-06', 'L01-07', 'L09-01', 'L09-02', 'L09-03', 'L09-04', 'L09-05', 'L16-01'],
    looks: [
      'the IPPools beside the pools the Installation declares',
      'the BlockAffinities and their names',
      'the IPAM blocks: size, node, allocations and who holds them',
      "the pods' IPs and their ipv4pools annotations",
    ],
    causes: ipamObjectCauses,
  },
  {
    title: 'A fixed address or a reservation is not honoured',
    claims: ['L16-02', 'L16-03', 'L16-04', 'L16-05', 'L16-07', 'L16-09', 'L16-10', 'L16-11'],
    looks: ['the IPReservations', "every pod's IP beside its ipAddrs annotation", 'the IP pools'],
    causes: fixedAddressCauses,
  },
  {
    title: 'Traffic leaving the pools is not translated to the node address (natOutgoing), or pod traffic is',
    claims: ['L01-08', 'L01-09'],
    looks: ['iptables -t nat -S cali-nat-outgoing on the nodes', 'NAT rules (iptables -t nat POSTROUTING)', "the pools' natOutgoing"],
    causes: (evidence) => natOutgoingCauses(evidence),
  },
];
