/**
 * Pure translations of Calico's objects into the port's IpPool and IpamBlock, plus the
 * address of an IPAM ordinal (the one rule the target recomputes).
 *
 *  - IPPool       crd.projectcalico.org/v1 ippools        spec.{cidr, blockSize, vxlanMode, ipipMode, natOutgoing}
 *  - IPAMBlock    crd.projectcalico.org/v1 ipamblocks     spec.{cidr, affinity, allocations[], attributes[]}
 *
 * Calico v3.30 stores no WorkloadEndpoint in Kubernetes-datastore mode (no CRD, and its API
 * server serves none): see ../calico-records.ts for what it does record.
 */
import { addressAtAnyFamily as addressAt, containsAnyFamily as cidrContains } from '../../net/cidr.ts';
import type { BlockAffinity, IpamAllocation, IpamBlock, IpPool, IpReservation, PodInfo, WorkloadEndpoint } from '../../domain.ts';
import type { Encapsulation } from '../../net/calico.ts';

export { addressAt, cidrContains };

// --- IP pools ---------------------------------------------------------------------------

interface CalicoObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function encapsulationOf(vxlanMode: unknown, ipipMode: unknown): Encapsulation {
  if (vxlanMode === 'Always') return 'VXLAN';
  if (vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  if (ipipMode === 'Always') return 'IPIP';
  if (ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  return 'None';
}

export function parseIpPool(obj: CalicoObject, mtu: number | undefined): IpPool {
  const spec = obj.spec ?? {};
  const cidr = String(spec.cidr ?? '');
  return {
    name: obj.metadata?.name ?? '',
    cidr,
    blockSize: typeof spec.blockSize === 'number' ? spec.blockSize : cidr.includes(':') ? 122 : 26,
    encapsulation: encapsulationOf(spec.vxlanMode, spec.ipipMode),
    natOutgoing: spec.natOutgoing === true,
    nodeSelector: typeof spec.nodeSelector === 'string' && spec.nodeSelector ? spec.nodeSelector : 'all()',
    allowedUses: Array.isArray(spec.allowedUses) ? spec.allowedUses.map(String) : ['Workload', 'Tunnel'],
    disableBGPExport: spec.disableBGPExport === true,
    mtu,
    resource: { spec: { ...spec }, labels: { ...(obj.metadata?.labels ?? {}) } },
  };
}

/** A pool as the Installation declares it (spec.calicoNetwork.ipPools[]): encapsulation and natOutgoing in the operator's words. */
export function parseInstallationPool(pool: Record<string, unknown>, index: number): Omit<IpPool, 'mtu'> {
  const cidr = String(pool.cidr ?? '');
  return {
    name: typeof pool.name === 'string' ? pool.name : index === 0 ? 'default-ipv4-ippool' : `ipv4-ippool-${index}`,
    cidr,
    blockSize: typeof pool.blockSize === 'number' ? pool.blockSize : 26,
    encapsulation: (typeof pool.encapsulation === 'string' ? pool.encapsulation : 'IPIP') as Encapsulation,
    natOutgoing: pool.natOutgoing !== 'Disabled',
    nodeSelector: typeof pool.nodeSelector === 'string' && pool.nodeSelector ? pool.nodeSelector : 'all()',
    allowedUses: Array.isArray(pool.allowedUses) ? pool.allowedUses.map(String) : ['Workload', 'Tunnel'],
    disableBGPExport: pool.disableBGPExport === true,
  };
}

// --- block affinities and reservations ------------------------------------------------------

/** crd.projectcalico.org/v1 BlockAffinity: spec.{node, cidr, state, deleted ("false"), type}. */
export function parseBlockAffinity(obj: CalicoObject): BlockAffinity {
  const spec = obj.spec ?? {};
  return {
    name: obj.metadata?.name ?? '',
    node: String(spec.node ?? ''),
    cidr: String(spec.cidr ?? ''),
    state: String(spec.state ?? ''),
    deleted: String(spec.deleted ?? ''),
    type: String(spec.type ?? 'host'),
  };
}

/** crd.projectcalico.org/v1 IPReservation: spec.reservedCIDRs. */
export function parseIpReservation(obj: CalicoObject): IpReservation {
  const spec = obj.spec ?? {};
  return { name: obj.metadata?.name ?? '', reservedCIDRs: Array.isArray(spec.reservedCIDRs) ? spec.reservedCIDRs.map(String) : [] };
}

// --- IPAM blocks --------------------------------------------------------------------------

interface BlockAttribute {
  handle_id?: string;
  secondary?: Record<string, string>;
}

const TUNNEL_TYPES: Record<string, string> = {
  vxlanTunnelAddress: 'vxlan-tunnel-addr',
  vxlanV6TunnelAddress: 'vxlan-v6-tunnel-addr',
  ipipTunnelAddress: 'ipip-tunnel-addr',
  wireguardTunnelAddress: 'wireguard-tunnel-addr',
};

/** Who holds an allocation: `<namespace>/<pod>`, `vxlan-tunnel-addr:<node>`, or the raw handle. */
export function holderOf(attr: BlockAttribute | undefined): string {
  const secondary = attr?.secondary ?? {};
  if (secondary.namespace && secondary.pod) return `${secondary.namespace}/${secondary.pod}`;
  const tunnel = secondary.type ? TUNNEL_TYPES[secondary.type] : undefined;
  if (tunnel && secondary.node) return `${tunnel}:${secondary.node}`;
  const handle = attr?.handle_id ?? '';
  for (const prefix of Object.values(TUNNEL_TYPES)) {
    if (handle.startsWith(`${prefix}-`)) return `${prefix}:${handle.slice(prefix.length + 1)}`;
  }
  return handle || 'unknown';
}

export function parseIpamBlock(obj: CalicoObject): IpamBlock {
  const spec = obj.spec ?? {};
  const cidr = String(spec.cidr ?? '');
  const affinity = typeof spec.affinity === 'string' ? spec.affinity : '';
  const allocationsRaw = Array.isArray(spec.allocations) ? (spec.allocations as Array<number | null>) : [];
  const attributes = Array.isArray(spec.attributes) ? (spec.attributes as BlockAttribute[]) : [];
  const allocations: IpamAllocation[] = [];
  allocationsRaw.forEach((attrIndex, ordinal) => {
    if (attrIndex === null || attrIndex === undefined) return;
    const attr = attributes[attrIndex];
    allocations.push({
      ip: addressAt(cidr, ordinal),
      holder: holderOf(attr),
      ...(attr?.handle_id ? { handle: attr.handle_id } : {}),
      ...(attr ? { attributes: { ...(attr.handle_id ? { handle_id: attr.handle_id } : {}), ...(attr.secondary ?? {}) } } : {}),
    });
  });
  return {
    cidr,
    node: affinity.startsWith('host:') ? affinity.slice('host:'.length) : undefined,
    allocations,
  };
}
