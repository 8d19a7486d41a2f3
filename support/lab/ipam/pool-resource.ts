/**
 * The IPPool resource the Tigera operator writes for an Installation's pool (the operator
 * release of Calico v3.30.0, pkg/controller/ippool): the Installation's encapsulation becomes
 * vxlanMode/ipipMode, natOutgoing a boolean, and the operator labels the pool as its own.
 */
import type { PoolSpec } from '../spec.ts';

const MODES: Record<PoolSpec['encapsulation'], { vxlanMode: string; ipipMode: string }> = {
  VXLAN: { vxlanMode: 'Always', ipipMode: 'Never' },
  VXLANCrossSubnet: { vxlanMode: 'CrossSubnet', ipipMode: 'Never' },
  IPIP: { vxlanMode: 'Never', ipipMode: 'Always' },
  IPIPCrossSubnet: { vxlanMode: 'Never', ipipMode: 'CrossSubnet' },
  None: { vxlanMode: 'Never', ipipMode: 'Never' },
};

export function operatorIpPool(pool: PoolSpec): { spec: Record<string, unknown>; labels: Record<string, string> } {
  return {
    spec: {
      allowedUses: [...pool.allowedUses],
      assignmentMode: pool.assignmentMode ?? 'Automatic',
      blockSize: pool.blockSize,
      cidr: pool.cidr,
      // omitempty in Calico's IPPoolSpec: a false value is not stored.
      ...(pool.disableBGPExport ? { disableBGPExport: true } : {}),
      ...MODES[pool.encapsulation],
      natOutgoing: pool.natOutgoing,
      nodeSelector: pool.nodeSelector,
    },
    labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' },
  };
}
