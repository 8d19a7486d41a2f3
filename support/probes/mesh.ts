/**
 * Full-mesh reachability: every source pod probes every destination in ONE exec (fping, or
 * parallel pings where fping is missing), so the number of execs grows with the pods, not
 * with the pairs. Optionally the echo requests are captured meanwhile, to see the source
 * address each request arrived with at its destination: one capture per node, on all of its
 * interfaces, each request read where the node hands it to the destination pod.
 */
import type { ExecResult, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { EvidenceFile, Observation } from './observation.ts';
import { parseFpingSummary } from '../parse/fping.ts';
import type { Packet } from '../parse/tcpdump.ts';
import { startPcap, type PcapCapture } from './pcap.ts';
import { nodeToolsTarget, podTarget } from '../subjects.ts';
import { hostSideCapturePoints } from './host-side.ts';

export interface MeshCell {
  from: PodInfo;
  to: PodInfo;
  reachable: boolean;
  /** Source addresses the destination's capture saw on requests from this probe (with capture only). */
  arrivedFrom: string[] | undefined;
}

const REPLY_TIMEOUT_MS = 1000;

// `$@` are the destination IPs. fping prints its summary on stderr; the fallback mimics it.
const MESH_SCRIPT = [
  `if command -v fping >/dev/null 2>&1; then exec fping -c 1 -q -r 0 -i 1 -t ${REPLY_TIMEOUT_MS} "$@"; fi`,
  'for ip in "$@"; do (if ping -n -c 1 -W 1 "$ip" >/dev/null 2>&1; then echo "$ip : xmt/rcv/%loss = 1/1/0%"; else echo "$ip : xmt/rcv/%loss = 1/0/100%"; fi) & done',
  'wait',
].join('\n');

export function meshArgv(destinations: string[]): string[] {
  return ['sh', '-c', MESH_SCRIPT, 'mesh-probe', ...destinations];
}

export async function probeMesh(cluster: Cluster, pods: PodInfo[], options: { capture: boolean }): Promise<Observation<MeshCell[]>> {
  const captures = options.capture ? await startCaptures(cluster, pods) : undefined;
  const evidence: ExecResult[] = [];
  const files: EvidenceFile[] = [];
  const seenBy = new Map<PodInfo, Packet[]>();
  let probes: { from: PodInfo; destinations: string[]; result: ExecResult }[];
  try {
    probes = await Promise.all(
      pods.map(async (from) => {
        // Each address once: two pods that share one (a duplicate IP) are one destination to ping.
        const destinations = [...new Set(pods.filter((to) => to !== from).map((to) => to.ip as string))];
        const result = await cluster.exec(podTarget(from), meshArgv(destinations), { timeoutMs: REPLY_TIMEOUT_MS + 10_000 });
        return { from, destinations, result };
      }),
    );
  } finally {
    if (captures) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const [node, capture] of captures.byNode) {
        const seen = await capture.stop();
        evidence.push(...seen.evidence);
        files.push(...(seen.files ?? []));
        for (const pod of pods.filter((candidate) => candidate.node === node)) {
          const iface = captures.hostSide.get(pod) as string;
          // What the node sent out of the pod's host interface: the requests as the pod receives them.
          seenBy.set(
            pod,
            seen.value.filter((packet) => packet.iface === iface && packet.direction === 'Out'),
          );
        }
      }
    }
  }
  const cells: MeshCell[] = [];
  for (const { from, destinations, result } of probes) {
    evidence.push(result);
    const summaries = parseFpingSummary(`${result.stdout}\n${result.stderr}`, destinations);
    for (const to of pods.filter((candidate) => candidate !== from)) {
      const summary = summaries.find((candidate) => candidate.target === to.ip);
      const packets = seenBy.get(to);
      cells.push({
        from,
        to,
        reachable: (summary?.received ?? 0) > 0,
        // A request is ours if it carries our probe's source IP, or if it came while no other source claims it.
        arrivedFrom: packets
          ? [
              ...new Set(
                packets
                  .filter((packet) => packet.icmpType === 'echo request' && packet.dst === to.ip && requestFrom(packet.src, from, pods))
                  .map((packet) => packet.src as string),
              ),
            ]
          : undefined,
      });
    }
  }
  return { value: cells, evidence, files };
}

/** With NAT, the address a request arrives from is not a pod's: it is attributed to the probe only if it is its own or no pod's. */
function requestFrom(src: string | undefined, from: PodInfo, pods: PodInfo[]): boolean {
  return src === from.ip || !pods.some((pod) => pod.ip === src);
}

const ECHO_REQUESTS = ['icmp[icmptype] == icmp-echo'];
/**
 * Enough of a request for every header and its 56 bytes of data (20 of the cooked header, 20 of
 * IPv4, 8 of ICMP): a node's capture sees each of a mesh's 240 requests two or three times at
 * once, which the default snap length's ring of eight frames drops on a busy machine.
 */
const ECHO_REQUEST_BYTES = 128;

/**
 * One capture per node that runs a destination, on all its interfaces (`-i any`, which prints
 * each packet's interface and direction), all listening before the first probe; if one fails
 * to start, the others are stopped. Each destination's requests are read on the host side of
 * its veth (found from the pod's eth0, with the node's tools): every request reaches the pod
 * through it with its addresses as the pod receives them, and it needs no tcpdump in the pod's
 * image (nginx:stable and redis:7-alpine have none). One capture per node rather than per pod:
 * a tcpdump costs far more to start than the few packets it reads.
 */
async function startCaptures(
  cluster: Cluster,
  pods: PodInfo[],
): Promise<{ byNode: Map<string, PcapCapture>; hostSide: Map<PodInfo, string> }> {
  const points = await hostSideCapturePoints(cluster, pods);
  const hostSide = new Map(pods.map((pod, index) => [pod, (points[index] as (typeof points)[number]).value.iface]));
  const nodes = [...new Set(pods.map((pod) => pod.node))];
  const started = await Promise.allSettled(
    nodes.map((node) =>
      startPcap(cluster, nodeToolsTarget(node), ECHO_REQUESTS, `mesh-${node}`, { iface: 'any', snapLength: ECHO_REQUEST_BYTES }),
    ),
  );
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop().catch(() => undefined) : undefined)));
    throw failed.reason;
  }
  return { byNode: new Map(nodes.map((node, index) => [node, (started[index] as PromiseFulfilledResult<PcapCapture>).value])), hostSide };
}
