/**
 * What a learner runs for lesson 12: `tc` on the pod's node, `ip link` for the IFB devices,
 * and iperf3 in the client pod.
 */
import type { Cluster, ExecTarget, PodInfo } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseIperfClientJson, type IperfReport } from './parse/iperf3.ts';
import { parseIfbDevices, parseTcFilters, parseTcQdiscs, type Filter, type IfbDevice, type Qdisc } from './parse/tc.ts';
import { podTarget } from '../subjects.ts';

export function qdiscsOf(cluster: Cluster, node: ExecTarget, dev: string, stats = false): Promise<Observation<Qdisc[]>> {
  return runProbe(cluster, node, ['tc', '-j', ...(stats ? ['-s'] : []), 'qdisc', 'show', 'dev', dev], parseTcQdiscs);
}

export function ingressFiltersOf(cluster: Cluster, node: ExecTarget, dev: string): Promise<Observation<Filter[]>> {
  return runProbe(cluster, node, ['tc', '-j', 'filter', 'show', 'dev', dev, 'ingress'], parseTcFilters);
}

export function ifbDevices(cluster: Cluster, node: ExecTarget): Promise<Observation<IfbDevice[]>> {
  return runProbe(cluster, node, ['ip', '-j', 'link', 'show', 'type', 'ifb'], parseIfbDevices);
}

/**
 * `iperf3 -c <server> -t <seconds> -w 64K -J --get-server-output` in the client pod. The socket
 * buffer keeps what waits in the shaper's queue small, so the run ends soon after its window
 * instead of draining a deep queue at the shaped rate. iperf3 exits 1 on its own errors and
 * says which in the JSON: that is the test's outcome, read from the report.
 */
export function iperf3(cluster: Cluster, client: PodInfo, server: string, seconds: number): Promise<Observation<IperfReport>> {
  return runProbe(
    cluster,
    podTarget(client),
    ['iperf3', '-c', server, '-t', String(seconds), '-w', '64K', '-J', '--get-server-output'],
    parseIperfClientJson,
    { timeoutMs: (seconds + 20) * 1000, acceptExitCodes: [0, 1] },
  );
}
