/**
 * bird.conf for one node, as calico-node's confd would render it for the lesson's objects.
 *
 * Calico runs its own BIRD fork (BIRD 1.6 with Calico's patches); Debian ships BIRD 2. This
 * renders BIRD-2 syntax that behaves as Calico's rendering does: the same protocols with the
 * same names, the same filters, the same kernel programming. Each part names the confd
 * template (confd/etc/calico/confd/templates/, Calico v3.30.0) it follows. BIRD 2 differences:
 * - import/export and `gateway recursive`/`add paths` move into an `ipv4 { }` channel;
 * - BIRD 1.6 never exported device (direct) routes to the kernel (its `device routes` option
 *   defaults off); BIRD 2 has no such option, so the kernel filter rejects them explicitly;
 * - BIRD 1.6 wrote kernel routes without a metric; BIRD 2 defaults to 32, so `metric 0`.
 * Routes BIRD writes carry protocol `bird` (RTPROT_BIRD, 12) in both.
 * IPIP pools and BGP filters are not rendered (no lesson of the lab uses them).
 */
import { parseCidr } from '../../net/cidr.ts';
import type { CalicoBgpObjects } from '../../net/calico-bgp.ts';
import type { BgpNodeIdentity, BgpSession } from './peers.ts';

export interface BirdNodeInput {
  node: BgpNodeIdentity;
  /** The node's confirmed block affinities (confd's /ipam/v2/host/<node>/ipv4/block). */
  blocks: string[];
  objects: CalicoBgpObjects;
  sessions: BgpSession[];
}

const indent = (lines: string[], by = '  ') => lines.map((line) => `${by}${line}`);

/** Service ranges confd turns into static routes and reject CIDRs (client.go updateGlobalRoutes). */
export function advertisedServiceRanges(objects: CalicoBgpObjects): string[] {
  const { serviceClusterIPs, serviceExternalIPs, serviceLoadBalancerIPs } = objects.configuration;
  return [...serviceClusterIPs, ...serviceExternalIPs, ...serviceLoadBalancerIPs].filter((cidr) => !cidr.includes(':'));
}

/** bird.cfg.template: apply_communities(), from BGPConfiguration prefixAdvertisements. */
function applyCommunities(objects: CalicoBgpObjects): string[] {
  const lines = ['function apply_communities()', '{'];
  for (const advertisement of objects.configuration.prefixAdvertisements) {
    lines.push(`  if ( net ~ ${advertisement.cidr} ) then {`);
    for (const community of advertisement.communities) {
      const parts = community.split(':');
      lines.push(
        parts.length === 2 ? `    bgp_community.add((${parts.join(', ')}));` : `    bgp_large_community.add((${parts.join(', ')}));`,
      );
    }
    lines.push('  }');
  }
  lines.push('}');
  return lines;
}

/** bird_ipam.cfg.template: the export functions and the kernel programming filter. */
function ipamFunctions(input: BirdNodeInput): string[] {
  const { pools } = input.objects;
  const ipv4Pools = pools.filter((pool) => !pool.cidr.includes(':'));
  const services = advertisedServiceRanges(input.objects);
  return [
    'function reject_disabled_pools()',
    '{',
    ...ipv4Pools.filter((pool) => pool.disableBGPExport).map((pool) => `  if ( net ~ ${pool.cidr} ) then { reject; }`),
    '}',
    '',
    'function reject_tunnel_routes()',
    '{',
    '  # Felix programs tunnel routes; they are not exported to other nodes.',
    '  if ( defined(ifname) ) then {',
    '    if ( (ifname ~ "*.cali") || (ifname ~ "*.calico") ) then { reject; }',
    '  }',
    '}',
    '',
    'function reject_local_routes()',
    '{',
    '  if ( defined(ifname) ) then {',
    '    if ( ifname ~ "bpf*.cali" ) then { reject; }',
    '  }',
    '}',
    '',
    'function calico_export_to_bgp_peers(bool internal_peer)',
    '{',
    '  reject_disabled_pools();',
    '  if ( internal_peer ) then { reject_tunnel_routes(); }',
    '  reject_local_routes();',
    '  apply_communities();',
    '  calico_aggr();',
    ...(services.length ? ['  # Export static routes.', ...services.map((cidr) => `  if ( net ~ ${cidr} ) then { accept; }`)] : []),
    ...ipv4Pools.map((pool) =>
      pool.disableBGPExport ? `  # Skip ${pool.cidr} as BGP export is disabled for it` : `  if ( net ~ ${pool.cidr} ) then { accept; }`,
    ),
    '}',
    '',
    'filter calico_kernel_programming',
    '{',
    '  # BIRD 2 only: keep device routes out of the kernel, as BIRD 1.6 did by default.',
    '  if ( source = RTS_DEVICE ) then { reject; }',
    ...(services.length
      ? ["  # Don't program static routes into kernel.", ...services.map((cidr) => `  if ( net ~ ${cidr} ) then { reject; }`)]
      : []),
    ...ipv4Pools.flatMap((pool) => {
      if (pool.ipipMode !== 'Never') throw new Error(`pool ${pool.name}: IPIP pools are not rendered by the lab`);
      return pool.vxlanMode !== 'Never'
        ? [`  if ( net ~ ${pool.cidr} ) then { reject; } # VXLAN routes are Felix's`]
        : [`  if ( net ~ ${pool.cidr} ) then { accept; }`];
    }),
    '  accept;',
    '}',
  ];
}

/** bird_aggr.cfg.template: the node's blocks (and static service routes) as blackholes, and calico_aggr(). */
function aggregation(input: BirdNodeInput): string[] {
  const blocks = input.blocks.filter((cidr) => !cidr.endsWith('/32'));
  const services = advertisedServiceRanges(input.objects);
  const routes = [...blocks.map((cidr) => `route ${cidr} blackhole;`), ...services.map((cidr) => `route ${cidr} blackhole;`)];
  return [
    'protocol static {',
    '  ipv4;',
    ...(routes.length ? indent(routes) : ['  # No IP blocks or static routes for this host.']),
    '}',
    '',
    '# Aggregation of routes on this host; export the block, nothing beneath it.',
    'function calico_aggr()',
    '{',
    ...input.blocks.flatMap((cidr) => [`  if ( net = ${cidr} ) then { accept; }`, `  if ( net ~ ${cidr} ) then { reject; }`]),
    '}',
  ];
}

/** bird.cfg.template: one BGP session (Mesh_, Global_ or Node_). */
function session(input: BirdNodeInput, peer: BgpSession): string[] {
  const internal = peer.peerAS === input.objects.configuration.asNumber;
  const lines = [`protocol bgp ${peer.protocol} from bgp_template {`];
  if (peer.kind === 'Mesh') {
    lines.push(`  neighbor ${peer.peerIP} as ${peer.peerAS};`, `  source address ${input.node.ip};`);
    if (peer.peerIP > input.node.ip) lines.push('  passive on; # Mesh is unidirectional, peer will connect to us.');
    lines.push('  ipv4 {', '    import all;', '    export filter { calico_export_to_bgp_peers(true); reject; };', '  };');
  } else {
    lines.push('  ttl security off;', '  multihop;', `  neighbor ${peer.peerIP} as ${peer.peerAS};`);
    lines.push(
      '  ipv4 {',
      '    import filter { accept; };',
      `    export filter { calico_export_to_bgp_peers(${internal}); reject; };`,
      '  };',
    );
  }
  lines.push('}');
  return lines;
}

/** The whole bird.conf of a node. */
export function renderBirdConfig(input: BirdNodeInput): string {
  for (const cidr of input.blocks) parseCidr(cidr);
  const { configuration } = input.objects;
  const sessions = input.sessions;
  const byKind = (kind: BgpSession['kind']) =>
    sessions.filter((peer) => peer.kind === kind).flatMap((peer) => ['', ...session(input, peer)]);
  const lines = [
    `# bird.conf of node ${input.node.name}, rendered by the podnet-e2e lab as Calico's confd would (BIRD 2 syntax).`,
    ...applyCommunities(input.objects),
    '',
    '# bird_aggr.cfg',
    ...aggregation(input),
    '',
    '# bird_ipam.cfg',
    ...ipamFunctions(input),
    '',
    '# bird.cfg',
    `router id ${input.node.ip};`,
    '',
    'protocol kernel {',
    '  learn;             # Learn all alien routes from the kernel',
    '  persist;           # Do not remove routes on bird shutdown',
    '  scan time 2;',
    '  graceful restart;',
    '  merge paths on;    # ECMP',
    '  metric 0;          # BIRD 2 only: BIRD 1.6 set no metric',
    '  ipv4 { import all; export filter calico_kernel_programming; };',
    '}',
    '',
    'protocol device {',
    '  debug { states };',
    '  scan time 2;',
    '}',
    '',
    'protocol direct {',
    '  debug { states };',
    '  ipv4;',
    '  interface -"cali*", -"kube-ipvs*", "*";',
    '}',
    '',
    '# Template for all BGP clients',
    'template bgp bgp_template {',
    '  debug { states };',
    '  description "Connection to BGP peer";',
    `  local as ${configuration.asNumber};`,
    '  graceful restart;',
    '  connect delay time 2;',
    '  connect retry time 5;',
    '  error wait time 5,30;',
    '  ipv4 { gateway recursive; add paths on; };',
    '}',
    '',
    '# ------------- Node-to-node mesh -------------',
    ...(configuration.nodeToNodeMeshEnabled ? byKind('Mesh') : ['# Node-to-node mesh disabled']),
    '',
    '# ------------- Global peers -------------',
    ...(sessions.some((peer) => peer.kind === 'Global') ? byKind('Global') : ['# No global peers configured.']),
    '',
    '# ------------- Node-specific peers -------------',
    ...(sessions.some((peer) => peer.kind === 'Node') ? byKind('Node') : ['# No node-specific peers configured.']),
    '',
  ];
  return lines.join('\n');
}
