/**
 * Which BGP sessions a node opens, as confd decides (confd/pkg/backends/calico/client.go,
 * updatePeersV1, Calico v3.30.0): a BGPPeer with neither `node` nor `nodeSelector` is a global
 * peer of every node (`/bgp/v1/global/peer_v4`, BIRD protocol `Global_<ip>`); one with either is
 * node-specific (`/bgp/v1/host/<node>/peer_v4`, protocol `Node_<ip>`) on the nodes it selects,
 * skipped where a global peering to the same address exists. A peer at the node's own address
 * is skipped, as the template does. Mesh sessions (`Mesh_<ip>`) exist only with the mesh on.
 */
import { protocolName, type BgpPeer, type CalicoBgpObjects, type SessionKind } from '../../net/calico-bgp.ts';
import { selects } from '../../net/calico-selector.ts';

export interface BgpNodeIdentity {
  name: string;
  /** The node's IPv4 address as Calico detected it (BIRD's router id and source address). */
  ip: string;
  labels: Record<string, string>;
}

export interface BgpSession {
  kind: SessionKind;
  /** BIRD's protocol name: `<kind>_<ip with underscores>`. */
  protocol: string;
  peerIP: string;
  peerAS: number;
  /** The BGPPeer it comes from (absent for mesh sessions). */
  from?: string;
}

export { protocolName, type SessionKind };

const isGlobal = (peer: BgpPeer) => peer.nodeSelector === '' && peer.node === '';

function selectsNode(peer: BgpPeer, node: BgpNodeIdentity): boolean {
  if (peer.node !== '') return peer.node === node.name;
  return selects(peer.nodeSelector, node.labels);
}

/** The sessions `node` runs, in the order BIRD's configuration lists them. */
export function sessionsOf(objects: CalicoBgpObjects, node: BgpNodeIdentity, allNodes: BgpNodeIdentity[]): BgpSession[] {
  const sessions: BgpSession[] = [];
  if (objects.configuration.nodeToNodeMeshEnabled) {
    for (const other of allNodes) {
      if (other.ip === node.ip) continue;
      sessions.push({ kind: 'Mesh', protocol: protocolName('Mesh', other.ip), peerIP: other.ip, peerAS: objects.configuration.asNumber });
    }
  }
  const globalIPs = new Set(objects.peers.filter(isGlobal).map((peer) => peer.peerIP));
  for (const peer of objects.peers.filter(isGlobal)) {
    if (peer.peerIP === node.ip) continue;
    sessions.push({
      kind: 'Global',
      protocol: protocolName('Global', peer.peerIP),
      peerIP: peer.peerIP,
      peerAS: peer.asNumber,
      from: peer.name,
    });
  }
  for (const peer of objects.peers.filter((candidate) => !isGlobal(candidate))) {
    if (!selectsNode(peer, node) || globalIPs.has(peer.peerIP) || peer.peerIP === node.ip) continue;
    if (sessions.some((session) => session.kind === 'Node' && session.peerIP === peer.peerIP)) continue;
    sessions.push({
      kind: 'Node',
      protocol: protocolName('Node', peer.peerIP),
      peerIP: peer.peerIP,
      peerAS: peer.asNumber,
      from: peer.name,
    });
  }
  return sessions;
}
