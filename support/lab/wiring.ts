/**
 * A whole node, as `ip -batch` lines composed from the lab's parts: its uplink (topology),
 * the devices and routes Felix programs, and the host side of every pod on it (CNI).
 */
import { podHostSideLines } from './cni/wiring.ts';
import { blockRouteLines, borrowedRouteLines, vxlanDeviceLines, vxlanFdbLines, vxlanNeighbourLines } from './felix/routes.ts';
import type { Batch } from './kernel.ts';
import type { LabNode, LabState } from './model.ts';
import { nodeUplinkLines } from './topology/fabric.ts';
import { nodeExecLines } from './topology/routed.ts';

export function nodeBatch(state: LabState, node: LabNode): Batch {
  const lines = [
    ...nodeUplinkLines(state, node),
    ...nodeExecLines(state, node.name),
    ...vxlanDeviceLines(state, node),
    ...vxlanNeighbourLines(state, node),
  ];
  for (const pod of state.pods) {
    if (pod.node === node.name && !pod.hostNetwork) lines.push(...podHostSideLines(state, pod));
  }
  lines.push(...blockRouteLines(state, node), ...borrowedRouteLines(state, node, state.pods));
  return { netns: node.netns, lines };
}

/** The node's FDB entries, for `bridge -batch` (ip cannot write them). */
export function nodeFdbBatch(state: LabState, node: LabNode): Batch {
  return { netns: node.netns, lines: vxlanFdbLines(state, node) };
}
