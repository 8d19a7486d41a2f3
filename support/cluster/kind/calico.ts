/**
 * Pure translations of Calico's objects into the port's IpPool and IpamBlock, plus the
 * address of an IPAM ordinal (the one rule the target recomputes).
 *
 *  - IPPool       crd.projectcalico.org/v1 ippools        spec.{cidr, blockSize, vxlanMode, ipipMode, natOutgoing}
 *  - IPAMBlock    crd.projectcalico.org/v1 ipamblocks     spec.{cidr, affinity, allocations[], attributes[]}
 *
 * Calico v3.30 stores no WorkloadEndpoint in Kubernetes-datastore mode (no CRD, and its API
 * server serves none): see ../calico-records.ts for what it does record.
 *
 * Strict: a field Calico always writes (a name, a CIDR, a block affinity's node) that is missing
 * or of another form, or a mode Calico does not have, is an error naming the object; only what
 * Calico's API itself defaults (blockSize, nodeSelector, allowedUses) is defaulted, as it does.
 */
import { addressAtAnyFamily as addressAt, containsAnyFamily as cidrContains } from '../../net/cidr.ts';
import type { BlockAffinity, IpamAllocation, IpamBlock, IpPool, IpReservation, PodInfo, WorkloadEndpoint } from '../../domain.ts';
import { ENCAPSULATIONS, type Encapsulation } from '../../net/calico.ts';
import { isCidr } from '../../parse/address.ts';
import { ParseError } from '../../parse/errors.ts';

export { addressAt, cidrContains };

// --- IP pools ---------------------------------------------------------------------------

interface CalicoObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function refuse(kind: string, obj: unknown, reason: string): never {
  throw new ParseError(`kind target: ${kind}`, reason, JSON.stringify(obj));
}

function nameOf(kind: string, obj: CalicoObject): string {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') refuse(kind, obj, 'no metadata.name');
  return name;
}

function cidrOf(kind: string, obj: unknown, value: unknown, field: string): string {
  if (typeof value !== 'string' || !isCidr(value)) refuse(kind, obj, `${field} is not a CIDR: ${JSON.stringify(value)}`);
  return value;
}

const MODES = [undefined, 'Never', 'Always', 'CrossSubnet'];

function encapsulationOf(obj: CalicoObject, vxlanMode: unknown, ipipMode: unknown): Encapsulation {
  if (!MODES.includes(vxlanMode as string) || !MODES.includes(ipipMode as string))
    refuse(
      'IPPool',
      obj,
      `vxlanMode ${JSON.stringify(vxlanMode)} / ipipMode ${JSON.stringify(ipipMode)}: Calico's modes are Never, Always, CrossSubnet`,
    );
  if (vxlanMode === 'Always') return 'VXLAN';
  if (vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  if (ipipMode === 'Always') return 'IPIP';
  if (ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  return 'None';
}

export function parseIpPool(obj: CalicoObject, mtu: number | undefined): IpPool {
  const spec = obj.spec ?? {};
  const name = nameOf('IPPool', obj);
  const cidr = cidrOf('IPPool', obj, spec.cidr, 'spec.cidr');
  return {
    name,
    cidr,
    blockSize: typeof spec.blockSize === 'number' ? spec.blockSize : cidr.includes(':') ? 122 : 26,
    encapsulation: encapsulationOf(obj, spec.vxlanMode, spec.ipipMode),
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
  const cidr = cidrOf('Installation', pool, pool.cidr, `spec.calicoNetwork.ipPools[${index}].cidr`);
  // The operator's default encapsulation is IPIP.
  const encapsulation = pool.encapsulation ?? 'IPIP';
  if (typeof encapsulation !== 'string' || !(ENCAPSULATIONS as readonly string[]).includes(encapsulation))
    refuse('Installation', pool, `encapsulation ${JSON.stringify(encapsulation)} is none of ${ENCAPSULATIONS.join(', ')}`);
  return {
    name: typeof pool.name === 'string' ? pool.name : index === 0 ? 'default-ipv4-ippool' : `ipv4-ippool-${index}`,
    cidr,
    blockSize: typeof pool.blockSize === 'number' ? pool.blockSize : 26,
    encapsulation: encapsulation as Encapsulation,
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
  const name = nameOf('BlockAffinity', obj);
  if (typeof spec.node !== 'string' || spec.node === '') refuse('BlockAffinity', obj, 'no spec.node');
  if (typeof spec.state !== 'string') refuse('BlockAffinity', obj, 'no spec.state');
  return {
    name,
    node: spec.node,
    cidr: cidrOf('BlockAffinity', obj, spec.cidr, 'spec.cidr'),
    state: spec.state,
    deleted: String(spec.deleted ?? ''),
    type: String(spec.type ?? 'host'),
  };
}

/** crd.projectcalico.org/v1 IPReservation: spec.reservedCIDRs. */
export function parseIpReservation(obj: CalicoObject): IpReservation {
  const spec = obj.spec ?? {};
  const name = nameOf('IPReservation', obj);
  if (spec.reservedCIDRs !== undefined && !Array.isArray(spec.reservedCIDRs))
    refuse('IPReservation', obj, 'spec.reservedCIDRs is not a list');
  // Calico's reservedCIDRs: "IP addresses and/or networks specified in CIDR notation".
  const reserved = ((spec.reservedCIDRs ?? []) as unknown[]).map((entry) => {
    const asCidr = typeof entry === 'string' && !entry.includes('/') ? `${entry}/${entry.includes(':') ? 128 : 32}` : entry;
    cidrOf('IPReservation', obj, asCidr, 'an entry of spec.reservedCIDRs');
    return entry as string;
  });
  return { name, reservedCIDRs: reserved };
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
  const cidr = cidrOf('IPAMBlock', obj, spec.cidr, 'spec.cidr');
  const affinity = typeof spec.affinity === 'string' ? spec.affinity : '';
  if (!Array.isArray(spec.allocations)) refuse('IPAMBlock', obj, 'spec.allocations is not a list');
  if (spec.attributes !== undefined && spec.attributes !== null && !Array.isArray(spec.attributes))
    refuse('IPAMBlock', obj, 'spec.attributes is not a list');
  const allocationsRaw = spec.allocations as unknown[];
  const attributes = (spec.attributes ?? []) as BlockAttribute[];
  const allocations: IpamAllocation[] = [];
  allocationsRaw.forEach((attrIndex, ordinal) => {
    if (attrIndex === null || attrIndex === undefined) return;
    if (typeof attrIndex !== 'number' || !Number.isInteger(attrIndex) || attrIndex < 0 || attrIndex >= attributes.length)
      refuse(
        'IPAMBlock',
        obj,
        `allocations[${ordinal}] is ${JSON.stringify(attrIndex)}, not an index of its ${attributes.length} attributes`,
      );
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
