/**
 * Pure translations of Calico's objects into the port's IpPool, IpamBlock and
 * WorkloadEndpoint, plus the two rules the target recomputes: the host-side interface name
 * and the address of an IPAM ordinal.
 *
 *  - IPPool       crd.projectcalico.org/v1 ippools        spec.{cidr, blockSize, vxlanMode, ipipMode, natOutgoing}
 *  - IPAMBlock    crd.projectcalico.org/v1 ipamblocks     spec.{cidr, affinity, allocations[], attributes[]}
 *  - WorkloadEndpoint projectcalico.org/v3 (Calico API server) spec.{node, pod, interfaceName, ipNetworks, mac}
 */
import { caliInterfaceName } from '../../net/calico.ts';
import { addressAtAnyFamily as addressAt, containsAnyFamily as cidrContains } from '../../net/cidr.ts';
import type { BlockAffinity, Encapsulation, IpamAllocation, IpamBlock, IpPool, IpReservation, PodInfo, WorkloadEndpoint } from '../cluster.ts';

// Calico's two rules the target recomputes are shared with the rest of the project.
export { caliInterfaceName, addressAt, cidrContains };

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
      ...(attr ? { attributes: { ...(attr.handle_id ? { handle_id: attr.handle_id } : {}), ...(attr.secondary ?? {}) } } : {}),
    });
  });
  return {
    cidr,
    node: affinity.startsWith('host:') ? affinity.slice('host:'.length) : undefined,
    allocations,
  };
}

// --- workload endpoints -------------------------------------------------------------------

export function parseWorkloadEndpoint(obj: CalicoObject): WorkloadEndpoint {
  const spec = obj.spec ?? {};
  return {
    namespace: obj.metadata?.namespace ?? '',
    pod: String(spec.pod ?? ''),
    node: String(spec.node ?? ''),
    interfaceName: String(spec.interfaceName ?? ''),
    ipNetworks: Array.isArray(spec.ipNetworks) ? spec.ipNetworks.map(String) : [],
    mac: typeof spec.mac === 'string' && spec.mac ? spec.mac : undefined,
  };
}

/**
 * Without the Calico API server, what the datastore would say, rebuilt from pods and
 * blocks: one endpoint per pod whose IP a block allocates to that very pod.
 */
export function endpointsFromPodsAndBlocks(pods: PodInfo[], blocks: IpamBlock[]): WorkloadEndpoint[] {
  const held = new Map<string, string[]>();
  for (const block of blocks) {
    for (const a of block.allocations) held.set(a.holder, [...(held.get(a.holder) ?? []), a.ip]);
  }
  return pods
    .filter((p) => !p.hostNetwork && p.ip !== undefined)
    .flatMap((p) => {
      const ips = held.get(`${p.namespace}/${p.name}`);
      if (!ips || !ips.includes(p.ip!)) return [];
      return [{
        namespace: p.namespace,
        pod: p.name,
        node: p.node,
        interfaceName: caliInterfaceName(p.namespace, p.name),
        ipNetworks: ips.map((ip) => `${ip}/${ip.includes(':') ? 128 : 32}`),
        mac: undefined,
      }];
    });
}
