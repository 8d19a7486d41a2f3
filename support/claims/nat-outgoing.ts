/**
 * L01-08, natOutgoing: Felix's cali-nat-outgoing rule on every node, and what it does to a
 * pod's packet that leaves the pools for a host outside the cluster: the node's address as its
 * source, so that the host, which knows no way to the pools, can answer.
 */
import { type OutsideHost, type PodInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { type Verdict, verdict } from '../evidence.ts';
import { type Capture } from '../probes/capture.ts';
import type { Observation } from '../probes/observation.ts';
import type { PingResult } from '../parse/ping.ts';
import { natOutgoingChain } from '../probes/node-config.ts';
import { describePod, nodeTarget } from '../subjects.ts';

const MASQ_SET = 'cali40masq-ipam-pools';
const ALL_SET = 'cali40all-ipam-pools';

/** Every node masquerades what comes from a natOutgoing pool and goes outside every pool, and nothing else. */
export async function natOutgoingRuleOnEveryNode(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({
      node: node.name,
      rules: await natOutgoingChain(cluster, nodeTarget(node.name)),
    })),
  );
  const findings = seen.flatMap(({ node, rules }) => {
    const masquerade = rules.value.filter((rule) => rule.jump === 'MASQUERADE');
    const exact = masquerade.some(
      (rule) =>
        rule.sets.some((set) => set.name === MASQ_SET && set.direction === 'src' && !set.negated) &&
        rule.sets.some((set) => set.name === ALL_SET && set.direction === 'dst' && set.negated),
    );
    const loose = masquerade.filter((rule) => !rule.sets.some((set) => set.name === ALL_SET && set.negated));
    return [
      ...(exact ? [] : [`${node}: no MASQUERADE for source ${MASQ_SET} and destination not in ${ALL_SET}`]),
      ...loose.map((rule) => `${node}: MASQUERADE without the ${ALL_SET} exclusion: ${rule.text}`),
    ];
  });
  return verdict(
    nodes.length > 0 && findings.length === 0,
    `on every node (${nodes.length}), cali-nat-outgoing to MASQUERADE source ${MASQ_SET} to destinations not in ${ALL_SET}, and nothing broader`,
    findings.length ? findings.join('; ') : 'every node has exactly that rule',
    seen.flatMap(({ rules }) => rules.evidence),
  );
}

export interface OutsidePingCapture {
  from: PodInfo;
  host: OutsideHost;
  /** Where the capture ran, for the verdict. */
  capturedAt: string;
  count: number;
  observation: Observation<Capture<PingResult>>;
}

function echoRequests(seen: OutsidePingCapture) {
  return seen.observation.value.packets.filter(
    (packet) => packet.proto === 'ICMP' && packet.icmpType === 'echo request' && packet.dst === seen.host.address,
  );
}

/** The capture at the outside host shows the requests coming from the InternalIP of the sender's node. */
export async function requestsFromSendersNode(cluster: Cluster, seen: OutsidePingCapture): Promise<Verdict> {
  const node = (await cluster.nodes()).find((candidate) => candidate.name === seen.from.node);
  const requests = echoRequests(seen);
  const sources = [...new Set(requests.map((packet) => String(packet.src)))];
  return verdict(
    node !== undefined && requests.length >= seen.count && requests.every((packet) => packet.src === node.internalIP),
    `the capture (${seen.capturedAt}) of ${seen.count} echo requests from ${describePod(seen.from)} to ${seen.host.what} ${seen.host.address} to show each one with its node's InternalIP ${node?.internalIP ?? '?'} as source (natOutgoing)`,
    requests.length ? `${requests.length} requests from ${sources.join(', ')}` : 'no echo requests in the capture',
    seen.observation.evidence,
  );
}

/**
 * L01-09: from a pool without natOutgoing, the capture at the outside host shows the requests
 * with the pod's own address (which the host, knowing no way to the pools, cannot answer).
 */
export function requestsFromPodItself(seen: OutsidePingCapture): Verdict {
  const requests = echoRequests(seen);
  const sources = [...new Set(requests.map((packet) => String(packet.src)))];
  const ping = seen.observation.value.during.value;
  return verdict(
    seen.from.ip !== undefined && requests.length >= seen.count && requests.every((packet) => packet.src === seen.from.ip),
    `the capture (${seen.capturedAt}) of ${seen.count} echo requests from ${describePod(seen.from)} to ${seen.host.what} ${seen.host.address} to show each one with the pod's own IP ${seen.from.ip ?? '?'} as source (no natOutgoing)`,
    `${requests.length ? `${requests.length} requests from ${sources.join(', ')}` : 'no echo requests in the capture'}; ${ping.replies.length} answered`,
    seen.observation.evidence,
  );
}

/** The outside host, which knows no way to the pools, answered: the answers went to the node's address. */
export function outsideAnswered(seen: OutsidePingCapture): Verdict {
  const ping = seen.observation.value.during.value;
  const answered = ping.replies.length;
  return verdict(
    answered >= 1,
    `${describePod(seen.from)} to get answers from ${seen.host.what} ${seen.host.address}, which has no route to any pool (only a masqueraded request can be answered)`,
    `${answered} of ${ping.transmitted ?? seen.count} answered${ping.errors.length ? ` (${ping.errors.join('; ')})` : ''}`,
    seen.observation.evidence,
  );
}
