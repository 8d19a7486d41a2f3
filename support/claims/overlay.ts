/**
 * Lesson 06: nodes on two subnets behind a router, and VXLAN only between the subnets. Each
 * claim reads what a learner reads — `ip route get`, the router's routing table, vxlan.calico
 * and its neighbours and FDB on every node — and compares it with what Calico records for the
 * nodes (their Node resources: address, tunnel address, tunnel MAC) and with the IPAM blocks.
 */
import { EnvironmentError, type ExecResult, type ExecTarget, type NodeInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { list, listing, type Verdict, verdict } from '../evidence.ts';
import { MTU_IFACE_PATTERN } from '../net/calico.ts';
import { cidrContains, cidrsOverlap, parseCidr } from '../net/cidr.ts';
import { interfaces, interfaceNamed, ipv4Addresses } from '../probes/interfaces.ts';
import { describeRouteAnswer, routeGet, routes } from '../probes/routes.ts';
import { formatRoute } from '../parse/ip-route.ts';
import { VXLAN_DEVICE, vxlanDevice, vxlanFdb, vxlanNeighbours } from '../probes/vxlan.ts';
import { nodeTarget } from '../subjects.ts';
import { subnetOf } from '../topology/clab.ts';

export interface CalicoNode {
  name: string;
  /** spec.bgp.ipv4Address with its prefix. */
  cidr: string;
  ip: string;
  subnet: string;
  tunnelIP: string | undefined;
  tunnelMac: string | undefined;
}

/** The nodes as Calico records them; a node without a recorded address is an environment fault. */
export async function calicoNodes(cluster: Cluster): Promise<{ nodes: CalicoNode[]; raw: NodeInfo[] }> {
  const raw = await cluster.nodes();
  const nodes = raw.map((node) => {
    const cidr = node.calico?.ipv4Address;
    if (!cidr)
      throw new EnvironmentError(
        `Calico records no address for node ${node.name} (annotation projectcalico.org/IPv4Address)`,
        'is calico-node running there?',
      );
    return {
      name: node.name,
      cidr,
      ip: cidr.split('/')[0] as string,
      subnet: subnetOf(cidr),
      tunnelIP: node.calico?.vxlanTunnelAddr,
      tunnelMac: node.calico?.vxlanTunnelMac,
    };
  });
  return { nodes, raw };
}

/** L06-01: Calico's node addresses fall into subnets of the given sizes. */
export async function subnetSizes(cluster: Cluster, sizes: number[]): Promise<Verdict> {
  const { nodes, raw } = await calicoNodes(cluster);
  const groups = new Map<string, string[]>();
  for (const node of nodes) groups.set(node.subnet, [...(groups.get(node.subnet) ?? []), node.name]);
  const seen = [...groups.values()].map((members) => members.length).sort((a, b) => b - a);
  const wanted = [...sizes].sort((a, b) => b - a);
  return verdict(
    seen.join(',') === wanted.join(','),
    `Calico's node addresses on ${wanted.length} subnets, of ${list(wanted)} nodes`,
    [...groups].map(([subnet, members]) => `${subnet}: ${list(members)}`).join('; '),
    [],
    [listing('nodes', raw)],
  );
}

/** The router's addresses (its SVIs and management address), read on the router. */
async function routerAddresses(cluster: Cluster, router: ExecTarget): Promise<{ cidrs: string[]; evidence: ExecResult[] }> {
  const seen = await interfaces(cluster, router);
  return { cidrs: seen.value.filter((iface) => iface.name !== 'lo').flatMap(ipv4Addresses), evidence: seen.evidence };
}

/**
 * L06-01: `ip route get` from every node to every other node: within its subnet directly on
 * `dev`, across subnets via the router's address on its own subnet, on `dev`.
 */
export async function nodeToNodePaths(cluster: Cluster, router: ExecTarget, dev: string, which: 'same' | 'other'): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const evidence: ExecResult[] = [];
  const routerSide = which === 'other' ? await routerAddresses(cluster, router) : { cidrs: [], evidence: [] };
  evidence.push(...routerSide.evidence);
  const wrong: string[] = [];
  let checked = 0;
  for (const node of nodes) {
    for (const other of nodes.filter(
      (candidate) => candidate.name !== node.name && (candidate.subnet === node.subnet) === (which === 'same'),
    )) {
      const lookup = await routeGet(cluster, nodeTarget(node.name), other.ip);
      evidence.push(...lookup.evidence);
      checked++;
      const gateway = which === 'same' ? undefined : routerSide.cidrs.find((cidr) => subnetOf(cidr) === node.subnet)?.split('/')[0];
      if (which === 'other' && !gateway) wrong.push(`the router has no address on ${node.subnet}`);
      else if (lookup.value.kind !== 'route' || lookup.value.lookup.gateway !== gateway || lookup.value.lookup.dev !== dev) {
        wrong.push(`${node.name} → ${other.name} (${other.ip}): ${describeRouteAnswer(lookup.value)}`);
      }
    }
  }
  const expected =
    which === 'same'
      ? `every node to reach the nodes of its own subnet directly (no gateway) on ${dev}`
      : `every node to reach the nodes of the other subnet via the router's address on its own subnet, on ${dev}`;
  return verdict(
    checked > 0 && wrong.length === 0,
    expected,
    checked === 0 ? 'no pair of nodes to look at' : wrong.length ? list(wrong) : `${checked} look-ups as expected`,
    evidence,
  );
}

/** L06-02: the router's routes are only those of its directly connected subnets. */
export async function routerRoutesConnectedOnly(cluster: Cluster, router: ExecTarget): Promise<Verdict> {
  const [table, own] = await Promise.all([routes(cluster, router), routerAddresses(cluster, router)]);
  const subnets = new Set(own.cidrs.map(subnetOf));
  const foreign = table.value.filter((route) => !(route.proto === 'kernel' && route.scope === 'link' && subnets.has(route.prefix)));
  return verdict(
    foreign.length === 0 && subnets.size > 0,
    `the router to route only its directly connected subnets (${list([...subnets])})`,
    foreign.length
      ? `also ${list(foreign.map((route) => `${route.dst}${route.gateway ? ` via ${route.gateway}` : ''}${route.dev ? ` dev ${route.dev}` : ''}${route.proto ? ` proto ${route.proto}` : ''}`))}`
      : `${table.value.length} connected routes`,
    [...table.evidence, ...own.evidence],
  );
}

/** L06-02: no default route and no route covering the IP pool on the router. */
export async function routerKnowsNoPods(cluster: Cluster, router: ExecTarget): Promise<Verdict> {
  const [table, pools] = await Promise.all([routes(cluster, router), cluster.ipPools()]);
  const offending = table.value.filter(
    (route) =>
      route.prefix === '0.0.0.0/0' ||
      pools.some((pool) => route.prefix.includes('.') && cidrsOverlap(parseCidr(route.prefix, { loose: true }), pool.cidr)),
  );
  return verdict(
    offending.length === 0,
    `the router to have no default route and no route covering the IP pool (${list(pools.map((pool) => pool.cidr))})`,
    offending.length ? list(offending.map((route) => route.dst)) : 'neither',
    table.evidence,
    [listing('ippools', pools)],
  );
}

/** L06-05: each node's Calico address is its `dev` address, with the prefix. */
export async function calicoAddressOnDevice(cluster: Cluster, dev: string): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  for (const node of nodes) {
    const seen = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...seen.evidence);
    const own = interfaceNamed(seen.value, dev);
    const addresses = own ? ipv4Addresses(own) : [];
    if (!addresses.includes(node.cidr)) wrong.push(`${node.name}: Calico ${node.cidr}, ${dev} ${list(addresses)}`);
  }
  return verdict(
    wrong.length === 0,
    `every node's Calico address (spec.bgp.ipv4Address) to be its ${dev} address with its prefix`,
    wrong.length ? list(wrong) : list(nodes.map((node) => `${node.name} ${node.cidr}`)),
    evidence,
  );
}

/** L06-05: no remote block's route and no VXLAN FDB entry points at an address of another interface (`avoid`, eth0). */
export async function nothingPointsAt(cluster: Cluster, avoid: string): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const blocks = await cluster.ipamBlocks();
  const evidence: ExecResult[] = [];
  const avoided = new Set<string>();
  const wrong: string[] = [];
  const perNode = await Promise.all(
    nodes.map(async (node) => ({
      node,
      seen: await interfaces(cluster, nodeTarget(node.name)),
      table: await routes(cluster, nodeTarget(node.name)),
      fdb: await vxlanFdb(cluster, nodeTarget(node.name)),
    })),
  );
  for (const { seen } of perNode) {
    const iface = interfaceNamed(seen.value, avoid);
    for (const cidr of iface ? ipv4Addresses(iface) : []) avoided.add(cidr.split('/')[0] as string);
  }
  for (const { node, seen, table, fdb } of perNode) {
    evidence.push(...seen.evidence, ...table.evidence, ...fdb.evidence);
    for (const route of table.value.filter((candidate) =>
      blocks.some((block) => block.cidr === candidate.prefix && block.node !== node.name),
    )) {
      if (route.gateway && avoided.has(route.gateway)) wrong.push(`${node.name}: ${route.dst} via ${route.gateway}`);
    }
    for (const entry of fdb.value) if (entry.dst && avoided.has(entry.dst)) wrong.push(`${node.name}: FDB ${entry.mac} dst ${entry.dst}`);
  }
  return verdict(
    wrong.length === 0,
    `no route to a remote block and no FDB entry of ${VXLAN_DEVICE} to point at a node's ${avoid} address (${list([...avoided])})`,
    wrong.length ? list(wrong) : 'none does',
    evidence,
  );
}

/** L06-06: on every node, remote blocks natively within a subnet, through vxlan.calico across; its own a blackhole. */
export async function blockRoutesBySubnet(cluster: Cluster, part: 'remote' | 'own'): Promise<Verdict> {
  const [{ nodes }, blocks] = await Promise.all([calicoNodes(cluster), cluster.ipamBlocks()]);
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  let checked = 0;
  for (const node of nodes) {
    const seen = await interfaces(cluster, nodeTarget(node.name));
    const table = await routes(cluster, nodeTarget(node.name));
    evidence.push(...seen.evidence, ...table.evidence);
    const parent = seen.value.find((iface) => ipv4Addresses(iface).includes(node.cidr))?.name;
    for (const block of blocks.filter((candidate) => (part === 'own') === (candidate.node === node.name))) {
      checked++;
      const route = table.value.find((candidate) => candidate.prefix === block.cidr);
      const shown = route
        ? `${route.type === 'blackhole' ? 'blackhole ' : ''}${route.dst}${route.gateway ? ` via ${route.gateway}` : ''}${route.dev ? ` dev ${route.dev}` : ''}${route.proto ? ` proto ${route.proto}` : ''}${route.flags.length ? ` ${route.flags.join(' ')}` : ''}`
        : `no route to ${block.cidr}`;
      if (part === 'own') {
        if (route?.type !== 'blackhole' || route.proto !== '80') wrong.push(`${node.name}: ${shown}`);
        continue;
      }
      const owner = nodes.find((candidate) => candidate.name === block.node);
      if (!owner) continue;
      const ok =
        owner.subnet === node.subnet
          ? route?.gateway === owner.ip && route.dev === parent && route.proto === '80' && route.flags.includes('onlink')
          : route?.gateway === owner.tunnelIP && route?.dev === VXLAN_DEVICE && route.flags.includes('onlink');
      if (!ok)
        wrong.push(`${node.name} → ${owner.name}'s block (${owner.subnet === node.subnet ? 'same subnet' : 'other subnet'}): ${shown}`);
    }
  }
  const expected =
    part === 'own'
      ? 'every node to hold a blackhole route, proto 80, for each of its own blocks'
      : `every node to route another node's block via that node's address on its own interface, proto 80, onlink, within a subnet, and via that node's tunnel address on ${VXLAN_DEVICE}, onlink, across subnets`;
  return verdict(checked > 0 && wrong.length === 0, expected, wrong.length ? list(wrong) : `${checked} routes as expected`, evidence);
}

/**
 * L06-06: a node reaches each other node's tunnel address through the route to that node's block
 * (the block holds the address): `ip route get <tunnel address>` leaves as the block route does,
 * and no route of the node's own names the tunnel address alone (Felix programs that /32 only for
 * a borrowed tunnel address or /32 blocks; the catalogue's "Not claims" of lesson 06).
 */
export async function tunnelAddressesThroughBlockRoutes(cluster: Cluster): Promise<Verdict> {
  const [{ nodes }, blocks] = await Promise.all([calicoNodes(cluster), cluster.ipamBlocks()]);
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  // Each node's tunnel address with the block of its own that holds it, found once.
  const tunnels: { owner: string; tunnelIP: string; block: string }[] = [];
  for (const owner of nodes) {
    const tunnelIP = owner.tunnelIP;
    const block = tunnelIP && blocks.find((candidate) => candidate.node === owner.name && cidrContains(candidate.cidr, tunnelIP));
    if (tunnelIP && block) tunnels.push({ owner: owner.name, tunnelIP, block: block.cidr });
    else
      wrong.push(`${owner.name}: ${tunnelIP ? `its tunnel address ${tunnelIP} lies in none of its blocks` : 'no tunnel address recorded'}`);
  }
  let checked = 0;
  for (const node of nodes) {
    const table = await routes(cluster, nodeTarget(node.name));
    evidence.push(...table.evidence);
    for (const { owner, tunnelIP, block } of tunnels.filter((tunnel) => tunnel.owner !== node.name)) {
      checked++;
      const answer = await routeGet(cluster, nodeTarget(node.name), tunnelIP);
      evidence.push(...answer.evidence);
      const blockRoute = table.value.find((candidate) => candidate.prefix === block);
      const hostRoute = table.value.find((candidate) => candidate.prefix === `${tunnelIP}/32`);
      const lookup = answer.value.kind === 'route' ? answer.value.lookup : undefined;
      const ok =
        blockRoute !== undefined &&
        hostRoute === undefined &&
        lookup !== undefined &&
        lookup.gateway === blockRoute.gateway &&
        lookup.dev === blockRoute.dev;
      if (!ok)
        wrong.push(
          `${node.name} → ${owner}'s tunnel address ${tunnelIP}: ${describeRouteAnswer(answer.value)}; block route ${blockRoute ? formatRoute(blockRoute) : `none for ${block}`}${hostRoute ? `; host route ${formatRoute(hostRoute)}` : ''}`,
        );
    }
  }
  return verdict(
    checked > 0 && wrong.length === 0,
    "every node to reach each other node's tunnel address (spec.ipv4VXLANTunnelAddr) through the route to that node's block, with no route of its own",
    wrong.length ? list(wrong) : `${checked} tunnel addresses reached through their blocks' routes`,
    evidence,
  );
}

/** L06-07: vxlan.calico with Felix's VNI and port, no learning, local the node's Calico address on `parent`, up. */
export async function vxlanDeviceShape(cluster: Cluster, vni: number, port: number, parent: string): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  for (const node of nodes) {
    const device = await vxlanDevice(cluster, nodeTarget(node.name));
    evidence.push(...device.evidence);
    const d = device.value;
    const problems = [
      d.vni !== vni && `id ${d.vni}`,
      d.port !== port && `dstport ${d.port}`,
      d.learning && 'learning',
      d.local !== node.ip && `local ${d.local}`,
      d.parent !== parent && `dev ${d.parent}`,
      !(d.flags.includes('UP') && d.flags.includes('LOWER_UP')) && `flags ${d.flags.join(',')}`,
      d.operState !== 'UNKNOWN' && `state ${d.operState}`,
    ].filter(Boolean);
    if (problems.length) wrong.push(`${node.name}: ${problems.join(', ')}`);
  }
  return verdict(
    wrong.length === 0,
    `on every node ${VXLAN_DEVICE}: id ${vni}, dstport ${port}, nolearning, local <its Calico address>, dev ${parent}, UP and LOWER_UP, state UNKNOWN`,
    wrong.length ? list(wrong) : `${nodes.length} nodes as expected`,
    evidence,
  );
}

/**
 * L06-07, L18-04: the smallest MTU of a node's oper-up host interfaces matching Felix's
 * mtuIfacePattern. Felix's interface monitor skips an interface without IFF_RUNNING, so an
 * admin-up interface with no carrier does not count.
 */
export function smallestHostMtu(list: { name: string; operUp: boolean; mtu: number }[]): number | undefined {
  const mtus = list.filter((iface) => iface.operUp && MTU_IFACE_PATTERN.test(iface.name)).map((iface) => iface.mtu);
  return mtus.length ? Math.min(...mtus) : undefined;
}

/** L06-07: vxlan.calico's MTU is the smallest MTU of the node's up host interfaces less `overhead`. */
export async function vxlanMtuRule(cluster: Cluster, overhead: number): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const evidence: ExecResult[] = [];
  const rows: string[] = [];
  let ok = true;
  for (const node of nodes) {
    const [seen, device] = await Promise.all([interfaces(cluster, nodeTarget(node.name)), vxlanDevice(cluster, nodeTarget(node.name))]);
    evidence.push(...seen.evidence, ...device.evidence);
    const smallest = smallestHostMtu(seen.value);
    const fits = smallest !== undefined && device.value.mtu === smallest - overhead;
    ok &&= fits;
    rows.push(`${node.name}: smallest host MTU ${smallest ?? 'none'}, ${VXLAN_DEVICE} ${device.value.mtu}${fits ? '' : ' ✗'}`);
  }
  return verdict(
    ok,
    `on every node ${VXLAN_DEVICE}'s MTU to be the smallest MTU of its up host interfaces less ${overhead}`,
    list(rows),
    evidence,
  );
}

/** L06-08: vxlan.calico holds exactly one IPv4 address: the node's tunnel address /32, scope global, in a block affine to the node. */
export async function tunnelAddressOnDevice(cluster: Cluster): Promise<Verdict> {
  const [{ nodes }, blocks] = await Promise.all([calicoNodes(cluster), cluster.ipamBlocks()]);
  const evidence: ExecResult[] = [];
  const wrong: string[] = [];
  for (const node of nodes) {
    const seen = await interfaces(cluster, nodeTarget(node.name));
    evidence.push(...seen.evidence);
    const device = interfaceNamed(seen.value, VXLAN_DEVICE);
    const inet = device?.addresses.filter((address) => address.family === 'inet') ?? [];
    const affine =
      node.tunnelIP !== undefined && blocks.some((block) => block.node === node.name && cidrContains(block.cidr, node.tunnelIP as string));
    const only = inet.length === 1 ? inet[0] : undefined;
    if (!(only && only.local === node.tunnelIP && only.prefixLen === 32 && only.scope === 'global' && affine)) {
      wrong.push(
        `${node.name}: recorded ${node.tunnelIP ?? 'none'}${affine ? '' : ' (not in a block of the node)'}, ${VXLAN_DEVICE} holds ${inet.map((address) => `${address.local}/${address.prefixLen} scope ${address.scope}`).join(', ') || 'nothing'}`,
      );
    }
  }
  return verdict(
    wrong.length === 0,
    `on every node ${VXLAN_DEVICE} to hold exactly one IPv4 address: the node's tunnel address (spec.ipv4VXLANTunnelAddr) as a /32, scope global, in a block affine to the node`,
    wrong.length ? list(wrong) : `${nodes.length} nodes as expected`,
    evidence,
  );
}

/** L06-09 and L06-10: a permanent neighbour (tunnel address → MAC) and FDB entry (MAC → Calico address) for every other node. */
export async function vtepEntries(cluster: Cluster, kind: 'neighbour' | 'fdb'): Promise<Verdict> {
  const { nodes } = await calicoNodes(cluster);
  const evidence: ExecResult[] = [];
  const devices = new Map<string, string>();
  for (const node of nodes) {
    const device = await vxlanDevice(cluster, nodeTarget(node.name));
    evidence.push(...device.evidence);
    devices.set(node.name, device.value.mac);
  }
  const wrong: string[] = [];
  for (const node of nodes) {
    const others = nodes.filter((other) => other.name !== node.name);
    if (kind === 'neighbour') {
      const seen = await vxlanNeighbours(cluster, nodeTarget(node.name));
      evidence.push(...seen.evidence);
      for (const other of others) {
        const entry = seen.value.find((candidate) => candidate.ip === other.tunnelIP);
        const mac = devices.get(other.name);
        if (!entry || entry.mac !== other.tunnelMac || entry.mac !== mac || !entry.state.includes('PERMANENT')) {
          wrong.push(
            `${node.name} for ${other.name} (${other.tunnelIP} ${other.tunnelMac}, its device ${mac}): ${entry ? `${entry.ip} lladdr ${entry.mac} ${entry.state.join(',')}` : 'no entry'}`,
          );
        }
      }
    } else {
      const seen = await vxlanFdb(cluster, nodeTarget(node.name));
      evidence.push(...seen.evidence);
      for (const other of others) {
        const mac = devices.get(other.name);
        const entry = seen.value.find((candidate) => candidate.mac === other.tunnelMac);
        if (!entry || entry.mac !== mac || entry.dst !== other.ip || !entry.flags.includes('self') || entry.state !== 'permanent') {
          wrong.push(
            `${node.name} for ${other.name} (${other.tunnelMac} → ${other.ip}): ${entry ? `${entry.mac} dst ${entry.dst} ${entry.flags.join(' ')} ${entry.state}` : 'no entry'}`,
          );
        }
      }
    }
  }
  const expected =
    kind === 'neighbour'
      ? `on every node a PERMANENT neighbour on ${VXLAN_DEVICE} for every other node: its tunnel address with its tunnel MAC (spec.vxlanTunnelMACAddr, the MAC of its ${VXLAN_DEVICE})`
      : `on every node a permanent FDB entry (self) on ${VXLAN_DEVICE} for every other node: its tunnel MAC to its Calico address`;
  return verdict(
    wrong.length === 0,
    expected,
    wrong.length ? list(wrong) : `${nodes.length} nodes, ${nodes.length - 1} entries each`,
    evidence,
  );
}
