/**
 * What a learner runs to look at a Service: a raw TCP client in a pod, name resolution, the
 * node's nat table and conntrack, and a backend's `kubectl logs`. One command each.
 */
import { TIMED_OUT_EXIT_CODE, type ExecResult, type ExecTarget, type PodInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseConntrack, type ConntrackEntry } from '../parse/conntrack.ts';
import { parseIptablesRules, type IptablesListing } from '../parse/iptables.ts';
import { parseAccessLog, type AccessLogLine } from '../parse/nginx-log.ts';
import { parseConnectionLoop, type Connections } from '../parse/connection-loop.ts';
import { parseGetentHosts } from '../parse/getent.ts';

export interface LineExchange {
  host: string;
  port: number;
  /** nc's exit code: 0 once a connection carried the exchange. */
  exitCode: number;
  reply: string;
}

/**
 * `printf '<line>\n' | nc -w 3 <host> <port>`, as the course's `telnet` and a typed line. A
 * connection that fails or hangs (a name that does not resolve, a refused or unanswered
 * connection) is a finding, not a probe failure: exit 1, or 124 when cut off.
 */
export async function sendLine(
  cluster: Cluster,
  from: ExecTarget,
  host: string,
  port: number,
  line: string,
): Promise<Observation<LineExchange>> {
  const script = 'printf "%s\\n" "$0" | nc -w 3 "$1" "$2"';
  return runProbe(cluster, from, ['sh', '-c', script, line, host, String(port)], (stdout) => ({ host, port, exitCode: 0, reply: stdout }), {
    acceptExitCodes: [0, 1, TIMED_OUT_EXIT_CODE],
    timeoutMs: 6_000,
  }).then((observation) => ({ ...observation, value: { ...observation.value, exitCode: observation.evidence[0]?.exitCode ?? 0 } }));
}

/**
 * `count` separate connections, each sending one line, from one exec (a shell loop that stops at
 * the first failure). The line comes from a here-document, not `printf | nc`: a pipeline forks a
 * subshell for every connection, and 100 connections would start 200 processes instead of 100.
 */
export async function openConnections(
  cluster: Cluster,
  from: ExecTarget,
  host: string,
  port: number,
  count: number,
): Promise<Observation<Connections>> {
  const script =
    'i=0; while [ "$i" -lt "$0" ]; do if nc -w 2 "$1" "$2" >/dev/null 2>&1 <<EOF\nget\nEOF\n then echo ok; else echo failed; break; fi; i=$((i+1)); done';
  return runProbe(cluster, from, ['sh', '-c', script, String(count), host, String(port)], parseConnectionLoop, { timeoutMs: 120_000 });
}

/** `getent hosts <name>`: the addresses the pod's resolver gives (none: exit 2). */
export async function resolveHost(cluster: Cluster, from: ExecTarget, name: string): Promise<Observation<string[]>> {
  return runProbe(cluster, from, ['getent', 'hosts', name], parseGetentHosts, {
    acceptExitCodes: [0, 2, TIMED_OUT_EXIT_CODE],
    timeoutMs: 6_000,
  });
}

/** `iptables -t nat -S [chain]` on a node. */
export async function natRules(cluster: Cluster, node: string, chain?: string): Promise<Observation<IptablesListing>> {
  return runProbe(cluster, { kind: 'node', name: node }, ['iptables', '-t', 'nat', '-S', ...(chain ? [chain] : [])], parseIptablesRules);
}

/** `iptables-save -c -t nat` on a node: every rule with its packet and byte counters. */
export async function natCounters(cluster: Cluster, node: string): Promise<Observation<IptablesListing>> {
  return runProbe(cluster, { kind: 'node', name: node }, ['iptables-save', '-c', '-t', 'nat'], parseIptablesRules);
}

/** `conntrack -L -p <proto> --orig-dst <ip>` on a node. */
export async function conntrackTo(
  cluster: Cluster,
  node: string,
  destination: string,
  protocol = 'tcp',
): Promise<Observation<ConntrackEntry[]>> {
  return runProbe(cluster, { kind: 'node', name: node }, ['conntrack', '-L', '-p', protocol, '--orig-dst', destination], parseConntrack);
}

/** A pod's logs, as `kubectl logs` prints them, read as nginx's access log. */
export async function accessLog(cluster: Cluster, pod: PodInfo): Promise<Observation<AccessLogLine[]>> {
  const started = Date.now();
  const stdout = await cluster.podLogs(pod.namespace, pod.name);
  const evidence: ExecResult = {
    where: `pod ${pod.namespace}/${pod.name}`,
    argv: ['kubectl', 'logs', '-n', pod.namespace, pod.name],
    exitCode: 0,
    stdout,
    stderr: '',
    ms: Date.now() - started,
    timedOut: false,
  };
  return { value: parseAccessLog(stdout), evidence: [evidence] };
}
