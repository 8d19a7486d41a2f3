/**
 * The runbook for a failed claim of lessons 21 and 22 (Multus' second network): every node's
 * eth2 (`ip -d link`, `ip addr`), and in the pod the scenario named its links, addresses, routes
 * and NAT rules, as the lesson's steps 3, 8 and 13 read them. The causes are a pure function of
 * what was gathered.
 */
import type { ExecResult, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseIpAddr, type Interface } from '../parse/ip-addr.ts';
import { parseIpRoutes } from '../parse/ip-route.ts';
import { nodeTarget, podTarget } from '../subjects.ts';

export const MULTUS_CLAIMS = /^L2[12]-/;

export const MULTUS_LOOKS = [
  "every node's eth2: ip -d link show eth2, ip addr show eth2 (up, no address)",
  "the pod's interfaces: ip -d link show (net1's kind, mode and parent @ifN), ip addr show",
  "the pod's routes: ip route show (the default via eth0, only the VLAN's subnet on net1)",
  "the pod's NAT rules: iptables -t nat -S POSTROUTING (nothing on net1)",
];

interface Seen {
  nodes: { node: string; eth2: Interface | undefined }[];
  podLinks: Interface[];
  defaultDevs: string[];
  natOnNet1: string[];
}

export function multusCauses(seen: Seen): string[] {
  const causes: string[] = [];
  for (const { node, eth2 } of seen.nodes) {
    if (!eth2) causes.push(`node ${node} has no eth2: the topology's VLAN link is missing`);
    else {
      if (!eth2.flags.includes('LOWER_UP')) causes.push(`node ${node}'s eth2 is down or has no carrier (<${eth2.flags.join(',')}>)`);
      const v4 = eth2.addresses.filter((address) => address.family === 'inet');
      if (v4.length)
        causes.push(
          `node ${node}'s eth2 holds ${v4.map((address) => `${address.local}/${address.prefixLen}`).join(', ')}: a macvlan parent needs none`,
        );
    }
  }
  const net1 = seen.podLinks.find((link) => link.name === 'net1');
  if (seen.podLinks.length && !net1) causes.push('the pod has no net1: Multus did not attach the NAD its annotation names');
  const eth2Index = (node: string) => seen.nodes.find((row) => row.node === node)?.eth2?.index;
  if (net1 && seen.nodes.length === 1 && net1.peerIndex !== eth2Index(seen.nodes[0]?.node as string))
    causes.push(
      `net1 hangs off @if${net1.peerIndex}, not the node's eth2 (if${eth2Index(seen.nodes[0]?.node as string)}): the NAD's master is wrong`,
    );
  if (seen.defaultDevs.some((dev) => dev !== 'eth0'))
    causes.push(`the pod's default route leaves by ${seen.defaultDevs.join(', ')}, not eth0: net1 took the default route`);
  if (seen.natOnNet1.length) causes.push(`the pod translates what leaves net1: ${seen.natOnNet1.join(' | ')}`);
  return causes;
}

async function optional(
  cluster: Cluster,
  target: Parameters<Cluster['exec']>[0],
  argv: string[],
  evidence: ExecResult[],
): Promise<string | undefined> {
  const result = await cluster.exec(target, argv).catch(() => undefined);
  if (!result) return undefined;
  evidence.push(result);
  return result.exitCode === 0 ? result.stdout : undefined;
}

export async function diagnoseMultus(cluster: Cluster, pod: PodInfo | undefined): Promise<{ text: string; evidence: ExecResult[] }> {
  const evidence: ExecResult[] = [];
  const nodes = pod ? [pod.node] : (await cluster.nodes()).map((node) => node.name);
  const seenNodes = await Promise.all(
    nodes.map(async (node) => {
      await optional(cluster, nodeTarget(node), ['ip', '-d', 'link', 'show', 'eth2'], evidence);
      const text = await optional(cluster, nodeTarget(node), ['ip', '-j', 'addr', 'show', 'eth2'], evidence);
      return { node, eth2: text ? parseIpAddr(text)[0] : undefined };
    }),
  );
  let podLinks: Interface[] = [];
  let defaultDevs: string[] = [];
  let natOnNet1: string[] = [];
  if (pod) {
    await optional(cluster, podTarget(pod), ['ip', '-d', 'link', 'show'], evidence);
    const addr = await optional(cluster, podTarget(pod), ['ip', '-j', 'addr', 'show'], evidence);
    const route = await optional(cluster, podTarget(pod), ['ip', '-j', 'route', 'show'], evidence);
    const nat = await optional(cluster, podTarget(pod), ['iptables', '-t', 'nat', '-S', 'POSTROUTING'], evidence);
    podLinks = addr ? parseIpAddr(addr) : [];
    defaultDevs = route
      ? parseIpRoutes(route)
          .filter((entry) => entry.dst === 'default')
          .map((entry) => entry.dev ?? '?')
      : [];
    natOnNet1 = (nat ?? '').split('\n').filter((line) => /-o net1\b/.test(line));
  }
  const causes = multusCauses({ nodes: seenNodes, podLinks, defaultDevs, natOnNet1 });
  const text = [
    "RUNBOOK: A pod's second network (Multus: eth2, net1) is not what the lesson says",
    pod ? `pod: ${pod.name} on ${pod.node}` : undefined,
    'looked at (the outputs are attached):',
    ...MULTUS_LOOKS.map((item) => `  - ${item}`),
    causes.length ? 'likely cause:' : 'the evidence does not point to one cause; read the attached outputs',
    ...causes.map((cause) => `  → ${cause}`),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
  return { text, evidence };
}
