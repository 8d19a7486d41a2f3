/**
 * The runbook for a failed Service claim (lesson 04): kube-proxy's rules on every node against
 * the Service's EndpointSlice, and the client node's conntrack. What it gathers is what a
 * learner would type: `iptables -t nat -S` on each node, `conntrack -L` on the client's node.
 * The analysis is a pure function of that evidence and of the API's Services and slices.
 */
import type { EndpointSliceInfo, ExecResult, PodInfo, ServiceInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import {
  endpointChainName,
  KUBE_MARK_MASQ,
  KUBE_SERVICES,
  printedProbability,
  SEP_CHAIN_PREFIX,
  serviceChainName,
  servicePortName,
} from '../net/kube-proxy.ts';
import { parseIptablesRules, type IptablesListing } from '../parse/iptables.ts';
import { nodeTarget } from '../subjects.ts';

export const SERVICE_CLAIMS = /^L04-/;

export const SERVICE_LOOKS = [
  "each node's nat table (iptables -t nat -S): KUBE-SERVICES reached from PREROUTING and OUTPUT, the Service's KUBE-SVC chain, its KUBE-SEP chains",
  "the Service's EndpointSlice: its ready endpoints, which the chains must follow",
  "conntrack -L on the client's node: the ClusterIP in the original direction, the backend in the reply",
];

export interface ServiceEvidence {
  services: ServiceInfo[];
  slices: EndpointSliceInfo[];
  tables: { node: string; listing: IptablesListing | undefined }[];
  clusterCIDR: string | undefined;
}

/** The causes the evidence points to, Service port by Service port. */
export function serviceCauses(evidence: ServiceEvidence): string[] {
  const causes: string[] = [];
  for (const service of evidence.services.filter((candidate) => candidate.clusterIP && candidate.clusterIP !== 'None')) {
    for (const port of service.ports) {
      const name = servicePortName(service.namespace, service.name, port.name);
      const protocol = port.protocol.toLowerCase();
      const chain = serviceChainName(name, protocol);
      const ready = evidence.slices
        .filter((slice) => slice.namespace === service.namespace && slice.labels['kubernetes.io/service-name'] === service.name)
        .flatMap((slice) => {
          const slicePort = slice.ports.find((candidate) => (candidate.name ?? '') === (port.name ?? ''));
          return slice.endpoints
            .filter((endpoint) => endpoint.ready)
            .flatMap((endpoint) => endpoint.addresses.map((ip) => `${ip}:${slicePort?.port}`));
        })
        .sort();
      for (const { node, listing } of evidence.tables) {
        if (!listing) {
          causes.push(`node ${node}: the nat table could not be read`);
          continue;
        }
        const rules = listing.rules.filter((rule) => rule.chain === chain);
        if (!listing.rules.some((rule) => rule.chain === KUBE_SERVICES && rule.jump === chain)) {
          causes.push(
            `node ${node}: KUBE-SERVICES has no rule for ${name} (${service.clusterIP}:${port.port}); is kube-proxy running there?`,
          );
          continue;
        }
        const masq = rules[0];
        if (evidence.clusterCIDR && !(masq?.jump === KUBE_MARK_MASQ && masq.notSource === evidence.clusterCIDR)) {
          causes.push(
            `node ${node}: ${chain} marks ${masq?.jump === KUBE_MARK_MASQ ? `traffic from ${masq.notSource ? `! ${masq.notSource}` : (masq.source ?? 'every source')}` : 'nothing'} for masquerade, not only clients outside ${evidence.clusterCIDR}: pods' connections would be SNATed`,
          );
        }
        const jumps = rules.filter((rule) => rule.jump?.startsWith(SEP_CHAIN_PREFIX));
        const targets = jumps.map((rule) => /-> (\S+)$/.exec(rule.comment ?? '')?.[1] ?? '?');
        const missing = ready.filter((endpoint) => !targets.includes(endpoint));
        const stale = targets.filter((endpoint) => !ready.includes(endpoint));
        if (missing.length) causes.push(`node ${node}: ${chain} has no jump to ready endpoint(s) ${missing.join(', ')} of ${name}`);
        if (stale.length)
          causes.push(
            `node ${node}: ${chain} still jumps to ${stale.join(', ')}, no longer a ready endpoint of ${name}: kube-proxy is not following the EndpointSlice`,
          );
        jumps.forEach((rule, i) => {
          const want = i < jumps.length - 1 ? printedProbability(jumps.length - i) : undefined;
          if (rule.probability !== want)
            causes.push(
              `node ${node}: jump ${i + 1} of ${jumps.length} in ${chain} has probability ${rule.probability ?? 'none'}, kube-proxy writes ${want ?? 'none'} (1/(n-i))`,
            );
        });
        for (const endpoint of ready) {
          const sep = endpointChainName(name, protocol, endpoint);
          if (!listing.rules.some((rule) => rule.chain === sep && rule.jump === 'DNAT' && rule.toDestination === endpoint))
            causes.push(`node ${node}: ${sep} does not DNAT to ${endpoint}`);
        }
      }
    }
  }
  return [...new Set(causes)];
}

async function look(cluster: Cluster, node: string, argv: string[], evidence: ExecResult[]): Promise<string | undefined> {
  try {
    const result = await cluster.exec(nodeTarget(node), argv, { timeoutMs: 5_000 });
    evidence.push(result);
    return result.exitCode === 0 ? result.stdout : undefined;
  } catch {
    return undefined;
  }
}

/** The Service runbook's text and evidence, for the lesson's Services in the suite's namespace. */
export async function diagnoseServices(cluster: Cluster, client: PodInfo | undefined): Promise<{ text: string; evidence: ExecResult[] }> {
  const evidence: ExecResult[] = [];
  const [services, slices, nodes, pools] = await Promise.all([
    cluster.services({ namespace: cluster.workloadNamespace }),
    cluster.endpointSlices({ namespace: cluster.workloadNamespace }),
    cluster.nodes(),
    cluster.ipPools().catch(() => []),
  ]);
  const tables = await Promise.all(
    nodes.map(async (node) => {
      const text = await look(cluster, node.name, ['iptables', '-t', 'nat', '-S'], evidence);
      let listing: IptablesListing | undefined;
      try {
        listing = text === undefined ? undefined : parseIptablesRules(text);
      } catch {
        listing = undefined;
      }
      return { node: node.name, listing };
    }),
  );
  if (client) await look(cluster, client.node, ['conntrack', '-L', '-p', 'tcp'], evidence);
  const causes = serviceCauses({ services: services.filter((service) => service.selector), slices, tables, clusterCIDR: pools[0]?.cidr });
  const text = [
    "RUNBOOK: A Service's ClusterIP does not lead to its pods (kube-proxy, iptables mode)",
    client ? `client: ${client.name} (${client.ip}) on ${client.node}` : undefined,
    'looked at (the outputs are attached):',
    ...SERVICE_LOOKS.map((item) => `  - ${item}`),
    causes.length
      ? 'likely cause:'
      : "the rules follow the EndpointSlices; read the attached outputs (the backends themselves, the client's node)",
    ...causes.map((cause) => `  → ${cause}`),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
  return { text, evidence };
}
