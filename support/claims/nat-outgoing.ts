/**
 * L01-08, natOutgoing: Felix's cali-nat-outgoing rule on every node, and what it does to a
 * pod's packet that leaves the pools: the node's address as its source.
 */
import type { Cluster, ExecResult, NodeInfo, PodInfo } from '../cluster/cluster.ts';
import type { Verdict } from '../evidence.ts';
import { captureDuring, type Capture } from '../probes/capture.ts';
import { runProbe } from '../probes/commands.ts';
import type { Observation } from '../probes/observation.ts';
import { parseIptablesRules } from '../probes/parse/iptables-rules.ts';
import type { PingResult } from '../probes/parse/ping.ts';
import { ping } from '../probes/ping.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import { verdict } from './verdict.ts';

const MASQ_SET = 'cali40masq-ipam-pools';
const ALL_SET = 'cali40all-ipam-pools';

/** Every node masquerades what comes from a natOutgoing pool and goes outside every pool, and nothing else. */
export async function natOutgoingRuleOnEveryNode(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({
      node: node.name,
      rules: await runProbe(cluster, nodeTarget(node.name), ['iptables', '-t', 'nat', '-S', 'cali-nat-outgoing'], parseIptablesRules),
    })),
  );
  const findings = seen.flatMap(({ node, rules }) => {
    const masquerade = rules.value.filter((rule) => rule.target === 'MASQUERADE');
    const exact = masquerade.some(
      (rule) =>
        rule.sets.some((set) => set.name === MASQ_SET && set.direction === 'src' && !set.negated) &&
        rule.sets.some((set) => set.name === ALL_SET && set.direction === 'dst' && set.negated),
    );
    const loose = masquerade.filter((rule) => !rule.sets.some((set) => set.name === ALL_SET && set.negated));
    return [
      ...(exact ? [] : [`${node}: no MASQUERADE for source ${MASQ_SET} and destination not in ${ALL_SET}`]),
      ...loose.map((rule) => `${node}: MASQUERADE without the ${ALL_SET} exclusion: ${rule.words.join(' ')}`),
    ];
  });
  return verdict(
    nodes.length > 0 && findings.length === 0,
    `on every node (${nodes.length}), cali-nat-outgoing to MASQUERADE source ${MASQ_SET} to destinations not in ${ALL_SET}, and nothing broader`,
    findings.length ? findings.join('; ') : 'every node has exactly that rule',
    seen.flatMap(({ rules }) => rules.evidence),
  );
}

export interface NodePingCapture {
  from: PodInfo;
  to: NodeInfo;
  count: number;
  observation: Observation<Capture<PingResult>>;
}

/** A pod pings a node's InternalIP while that node captures ICMP on its eth0. */
export async function pingNodeUnderCapture(cluster: Cluster, from: PodInfo, to: NodeInfo, count: number): Promise<NodePingCapture> {
  const observation = await captureDuring(cluster, nodeTarget(to.name), ['icmp'], `nat-outgoing-${to.name}`, () =>
    ping(cluster, podTarget(from), to.internalIP, count),
  );
  return { from, to, count, observation };
}

/** The capture at the destination shows the requests coming from the InternalIP of the sender's node. */
export async function requestsFromSendersNode(cluster: Cluster, seen: NodePingCapture): Promise<Verdict> {
  const node = (await cluster.nodes()).find((candidate) => candidate.name === seen.from.node);
  const requests = seen.observation.value.packets.filter(
    (packet) => packet.proto === 'ICMP' && packet.icmpType === 'echo request' && packet.dst === seen.to.internalIP,
  );
  const sources = [...new Set(requests.map((packet) => String(packet.src)))];
  const evidence: ExecResult[] = seen.observation.evidence;
  return verdict(
    node !== undefined && requests.length >= seen.count && requests.every((packet) => packet.src === node.internalIP),
    `the capture on ${seen.to.name} eth0 to show ${seen.count} echo requests from ${describePod(seen.from)}, every one with its node's InternalIP ${node?.internalIP ?? '?'} as source (natOutgoing)`,
    requests.length ? `${requests.length} requests from ${sources.join(', ')}` : 'no echo requests in the capture',
    evidence,
  );
}
