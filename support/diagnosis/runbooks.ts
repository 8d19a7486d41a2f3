/**
 * Troubleshooting runbooks after the course's background text on pod networking: which
 * symptom each one fits (by the claims that failed), what it asks to look at, and the causes
 * the gathered evidence points to. The analyses are pure functions of the evidence.
 */
import { CALICO_CNI_CONFIG, CALICO_GATEWAY, VXLAN_DEVICE, VXLAN_OVERHEAD } from '../net/calico.ts';
import { cidrContains, parseCidr } from '../net/cidr.ts';
import { formatRoute, type Route } from '../parse/ip-route.ts';
import type { Gathered, NodeView } from './evidence.ts';
import { IPAM_RUNBOOKS } from './ipam-runbooks.ts';
import type { Runbook } from './runbook.ts';

const nodeOf = (evidence: Gathered, name: string | undefined): NodeView | undefined =>
  evidence.nodes.find((view) => view.node.name === name);

function crossNodeCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  const { source, target, lookup: answer } = evidence;
  const targetNode = nodeOf(evidence, target?.node)?.node;
  if (answer?.kind === 'refused' && source?.node !== target?.node) {
    causes.push(
      `the source node ${source?.node} refuses to route ${target?.ip} ("${answer.said}")${answer.route ? `: its route ${formatRoute(answer.route)} covers it` : ''}`,
    );
  }
  const lookup = answer?.kind === 'route' ? answer.lookup : undefined;
  if (lookup && targetNode && source?.node !== target?.node && lookup.gateway !== targetNode.internalIP) {
    causes.push(
      `the source node ${source?.node} sends traffic for ${target?.ip} via ${lookup.gateway ?? `no gateway (dev ${lookup.dev})`}, not via ${targetNode.name}'s InternalIP ${targetNode.internalIP}: an extra hop or a wrong block route`,
    );
  }
  for (const view of evidence.nodes) {
    const masquerade = view.natRules.filter((rule) => /MASQUERADE|SNAT/.test(rule) && !/cali-nat-outgoing/.test(rule));
    if (masquerade.length) causes.push(`node ${view.node.name} rewrites source addresses of pod traffic (SNAT): ${masquerade.join(' | ')}`);
    const remoteHostRoutes = view.routes.filter(
      (route) =>
        route.prefix.endsWith('/32') &&
        route.gateway &&
        evidence.blocks.some((block) => block.node !== view.node.name && cidrContains(block.cidr, route.prefix.split('/')[0] as string)),
    );
    if (remoteHostRoutes.length)
      causes.push(
        `node ${view.node.name} routes remote pods one by one (${remoteHostRoutes.length} /32 routes, e.g. ${formatRoute(remoteHostRoutes[0] as Route)}) instead of one route per block`,
      );
    for (const block of evidence.blocks.filter((candidate) => candidate.node && candidate.node !== view.node.name)) {
      if (!view.routes.some((route) => route.prefix === block.cidr))
        causes.push(`node ${view.node.name} has no route for ${block.node}'s block ${block.cidr}`);
    }
  }
  return causes;
}

function hostSideCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  for (const pod of [evidence.source, evidence.target]) {
    if (!pod?.ip) continue;
    const view = nodeOf(evidence, pod.node);
    if (!view) continue;
    if (!view.routes.some((route) => route.prefix === `${pod.ip}/32`))
      causes.push(`node ${pod.node} has no host route to ${pod.name} (${pod.ip}): traffic to it hits the block's blackhole`);
    const off = Object.entries(view.proxyArp).filter(([name, on]) => name.startsWith('cali') && !on);
    if (off.length)
      causes.push(
        `proxy ARP is off on ${off.map(([name]) => name).join(', ')} of node ${pod.node}: nothing answers the pods' ARP for ${CALICO_GATEWAY}`,
      );
  }
  const podRoutes = evidence.sourcePodRoutes;
  if (podRoutes && !podRoutes.some((route) => route.dst === 'default' && route.gateway === CALICO_GATEWAY)) {
    causes.push(
      `pod ${evidence.source?.name} has no default route via ${CALICO_GATEWAY} (it has: ${podRoutes.map(formatRoute).join(' | ') || 'none'})`,
    );
  }
  return [...new Set(causes)];
}

function conflictCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  const byIP = new Map<string, string[]>();
  for (const pod of evidence.pods.filter((candidate) => !candidate.hostNetwork && candidate.ip))
    byIP.set(pod.ip as string, [...(byIP.get(pod.ip as string) ?? []), `${pod.name} on ${pod.node}`]);
  for (const [ip, holders] of byIP) if (holders.length > 1) causes.push(`${ip} is held by ${holders.join(' and ')}`);
  for (const pod of evidence.pods.filter((candidate) => !candidate.hostNetwork && candidate.ip)) {
    const block = evidence.blocks.find((candidate) => cidrContains(candidate.cidr, pod.ip as string));
    if (!block) causes.push(`${pod.name} on ${pod.node} has ${pod.ip}, which lies in no IPAM block (another IPAM handed it out?)`);
    else if (block.node !== pod.node) causes.push(`${pod.name} on ${pod.node} has ${pod.ip} from ${block.node}'s block ${block.cidr}`);
  }
  return causes;
}

function mtuCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  for (const view of evidence.nodes) {
    const eth0 = view.interfaces.find((iface) => iface.name === 'eth0');
    const vxlan = view.interfaces.find((iface) => iface.name === VXLAN_DEVICE);
    if (eth0 && vxlan && vxlan.mtu > eth0.mtu - VXLAN_OVERHEAD)
      causes.push(
        `on node ${view.node.name}, ${VXLAN_DEVICE}'s MTU ${vxlan.mtu} leaves no room for ${VXLAN_OVERHEAD} bytes of VXLAN header under eth0's ${eth0.mtu}`,
      );
    for (const pod of [evidence.source, evidence.target]) {
      if (pod?.node !== view.node.name) continue;
      const podEth0 = pod === evidence.source ? evidence.sourcePodInterfaces?.find((iface) => iface.name === 'eth0') : undefined;
      const host = view.interfaces.find((iface) => podEth0?.peerIndex !== undefined && iface.index === podEth0.peerIndex);
      if (podEth0 && host && podEth0.mtu !== host.mtu)
        causes.push(`pod ${pod.name}'s eth0 has MTU ${podEth0.mtu} but its host interface ${host.name} has ${host.mtu}`);
    }
  }
  return causes;
}

function cniCauses(evidence: Gathered): string[] {
  return evidence.nodes.flatMap((view) => {
    const first = view.cniConfigs[0];
    return first && first !== CALICO_CNI_CONFIG
      ? [`on node ${view.node.name} the runtime reads ${first} first, not Calico's ${CALICO_CNI_CONFIG}`]
      : [];
  });
}

function eventCauses(evidence: Gathered): string[] {
  return (evidence.events ?? [])
    .filter((event) => event.type === 'Warning')
    .map((event) => `${event.object}: ${event.reason} — ${event.message}${event.count > 1 ? ` (${event.count} times)` : ''}`);
}

/** VXLAN CrossSubnet (lesson 06): what keeps pods on different subnets apart. */
function overlayCauses(evidence: Gathered): string[] {
  const causes: string[] = [];
  const { source, target } = evidence;
  const lookup = evidence.lookup?.kind === 'route' ? evidence.lookup.lookup : undefined;
  const sourceView = nodeOf(evidence, source?.node);
  const targetNode = nodeOf(evidence, target?.node)?.node;
  const address = (node: { calico?: { ipv4Address?: string } } | undefined) => node?.calico?.ipv4Address;
  const [from, to] = [address(sourceView?.node), address(targetNode)];
  if (!sourceView || !targetNode || !from || !to || source?.node === target?.node) return causes;
  const crossSubnet = !cidrContains(parseCidr(from, { loose: true }), to.split('/')[0] as string);
  if (crossSubnet && lookup && lookup.dev !== VXLAN_DEVICE) {
    causes.push(
      `node ${sourceView.node.name} sends traffic for ${target?.ip} natively (${lookup.gateway ? `via ${lookup.gateway} ` : ''}dev ${lookup.dev}) although ${targetNode.name} is on another subnet (${to}): the router between the subnets has no route for pods and drops it`,
    );
  }
  if (!crossSubnet && lookup?.dev === VXLAN_DEVICE)
    causes.push(
      `node ${sourceView.node.name} encapsulates traffic for ${target?.ip} although ${targetNode.name} shares its subnet (the pool is not CrossSubnet?)`,
    );
  if (crossSubnet && lookup?.dev === VXLAN_DEVICE) {
    const neighbour = sourceView.vxlanNeighbours?.find((entry) => entry.ip === lookup.gateway);
    if (!neighbour)
      causes.push(
        `node ${sourceView.node.name} has no permanent neighbour entry for ${targetNode.name}'s tunnel address ${lookup.gateway} on vxlan.calico: the kernel cannot fill in the inner frame's MAC`,
      );
    const fdb = neighbour?.mac ? sourceView.vxlanFdb?.find((entry) => entry.mac === neighbour.mac) : undefined;
    if (neighbour?.mac && !fdb)
      causes.push(
        `node ${sourceView.node.name} has no FDB entry for ${targetNode.name}'s VTEP MAC ${neighbour.mac}: VXLAN frames for it have no destination address`,
      );
    else if (fdb && fdb.dst !== to.split('/')[0])
      causes.push(`node ${sourceView.node.name} sends ${targetNode.name}'s VTEP MAC to ${fdb.dst}, not to its address ${to}`);
  }
  return causes;
}

export const RUNBOOKS: Runbook[] = [
  {
    title: 'Pods on different subnets cannot reach each other, or are not encapsulated as they should be (VXLAN CrossSubnet)',
    claims: ['L06-06', 'L06-09', 'L06-10', 'L06-11', 'L06-12', 'L18-05', 'L18-08'],
    looks: [
      "the kernel's pick on the source node: ip route get <destination pod IP> (vxlan.calico across subnets, eth1 within one)",
      "the source node's permanent neighbour entries and FDB on vxlan.calico",
      "the nodes' Calico addresses and their subnets",
      'the overlay interface and its MTU',
    ],
    causes: (evidence) => [...overlayCauses(evidence), ...mtuCauses(evidence)],
  },
  {
    title: 'A pod reaches pods on its own node but not on other nodes (or not with its own address)',
    claims: ['L03-07', 'L03-08', 'L03-09', 'L03-10', 'L03-11', 'NET-02'],
    looks: [
      "the source node's and the destination node's routes",
      "the kernel's pick on the source node: ip route get <destination pod IP>",
      'NAT rules (iptables -t nat POSTROUTING) on both nodes',
      'the overlay interface and its MTU',
    ],
    causes: (evidence) => [...crossNodeCauses(evidence), ...mtuCauses(evidence)],
  },
  {
    title: 'A pod cannot reach pods on its own node',
    claims: ['L03-04', 'L03-05', 'L03-06', 'L02-07', 'L02-09', 'NET-02', 'L16-06', 'L16-07'],
    looks: [`the pod's routes (default via ${CALICO_GATEWAY})`, "the node's host route to each pod", 'proxy ARP on the host interfaces'],
    causes: hostSideCauses,
  },
  {
    title: 'Two pods with the same IP, or an IP from the wrong place',
    claims: ['NET-01', 'L03-02', 'L03-03', 'L02-04'],
    looks: ['every pod and its IP', "Calico's IPAM blocks and their nodes", 'workload endpoints for the address'],
    causes: conflictCauses,
  },
  {
    title: 'MTU mismatch: large packets vanish',
    claims: ['L02-05', 'L02-11', 'NET-04'],
    looks: ["the pod's eth0 and its host interface", `the node's eth0 and ${VXLAN_DEVICE}`],
    causes: mtuCauses,
  },
  {
    title: 'A pod does not get its network (CNI)',
    claims: ['NET-07', 'NET-08'],
    looks: ['the configuration files in /etc/cni/net.d (the first one wins)', 'the plugin binaries in /opt/cni/bin'],
    causes: cniCauses,
  },
  ...IPAM_RUNBOOKS,
];

/**
 * For a failed claim no runbook of the course fits: the subject's pods, their nodes, routes and
 * addresses, read with every analysis above, so that no failure goes without a first look.
 */
export const DEFAULT_RUNBOOK: Runbook = {
  title: 'No specific runbook fits this claim: a first look at its pods and their nodes',
  claims: [],
  looks: [
    'the pods the scenario named, their IPs and nodes (every pod the cluster reports is attached)',
    "the nodes' routes and addresses, NAT rules, proxy ARP and CNI configuration",
    "the first pod's own routes and interfaces",
    'Calico IPAM blocks',
    "on a live cluster, the recent events of the pods' namespace (a pod restarting, an image that cannot be pulled)",
  ],
  causes: (evidence) => [
    ...new Set([
      ...hostSideCauses(evidence),
      ...crossNodeCauses(evidence),
      ...conflictCauses(evidence),
      ...mtuCauses(evidence),
      ...cniCauses(evidence),
      ...eventCauses(evidence),
    ]),
  ],
};

/** The runbooks whose symptom is one of the failed claims; the default one when none is. */
export function runbooksFor(claims: string[]): Runbook[] {
  const fitting = RUNBOOKS.filter((runbook) => runbook.claims.some((claim) => claims.includes(claim)));
  return fitting.length > 0 ? fitting : [DEFAULT_RUNBOOK];
}
