/**
 * frr.conf of the lab's top-of-rack router: the course's cEOS `router bgp` (lessons 07, 08,
 * 10, 15) in FRR's syntax, after the course's own FRR variant (course/calico-frr/containerlab/
 * r0/frr.conf). Two FRR-specific lines a cEOS ToR does not need:
 * - `no bgp ebgp-requires-policy`: FRR 8 neither accepts nor sends eBGP routes without a policy
 *   (RFC 8212); cEOS does;
 * - `next-hop-self force` for route reflection: FRR leaves the next hop of reflected iBGP routes
 *   alone unless forced (CLAIMS.md lesson 10's build note); cEOS's `next-hop-self` rewrites it.
 * The peer group is declared before the listen range that names it, as FRR requires.
 */

export interface RouterBgpConfig {
  hostname: string;
  asNumber: number;
  routerId: string;
  peerGroup: string;
  peerGroupDescription: string;
  remoteAs: number;
  listenRanges: string[];
  networks: string[];
  routeReflectorClient: boolean;
  nextHopSelf: boolean;
  /** ECMP paths installed; 1 is FRR's (and cEOS's) default of a single best path. */
  maximumPaths: number;
}

export function renderFrrConfig(config: RouterBgpConfig): string {
  const internal = config.remoteAs === config.asNumber;
  const group = config.peerGroup;
  const lines = [
    'frr defaults traditional',
    `hostname ${config.hostname}`,
    'log stdout informational',
    '!',
    `router bgp ${config.asNumber}`,
    ` bgp router-id ${config.routerId}`,
    ' bgp log-neighbor-changes',
    ' no bgp ebgp-requires-policy',
    ` neighbor ${group} peer-group`,
    ` neighbor ${group} remote-as ${config.remoteAs}`,
    ` neighbor ${group} description "${config.peerGroupDescription}"`,
    ...config.listenRanges.map((range) => ` bgp listen range ${range} peer-group ${group}`),
    ' !',
    ' address-family ipv4 unicast',
    ...config.networks.map((network) => `  network ${network}`),
    `  neighbor ${group} activate`,
    ...(config.routeReflectorClient ? [`  neighbor ${group} route-reflector-client`] : []),
    ...(config.nextHopSelf ? [`  neighbor ${group} next-hop-self${internal ? ' force' : ''}`] : []),
    `  maximum-paths${internal ? ' ibgp' : ''} ${config.maximumPaths}`,
    ' exit-address-family',
    'exit',
    '!',
    'end',
    '',
  ];
  return lines.join('\n');
}
