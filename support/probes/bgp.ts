/**
 * What the BGP daemons say: BIRD on a node (birdc in the lab, birdcl inside calico-node on a
 * live cluster) and FRR on the router (vtysh, JSON). One command each, parsed by a tested parser.
 */
import type { BgpSpeaker } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { ExecResult } from '../domain.ts';
import { ProbeFailure, runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseBirdProtocols, parseBirdRoutes, type BirdProtocol, type BirdRoute } from '../parse/bird.ts';
import {
  parseFrrAdvertisedRoutes,
  parseFrrBgpRoutes,
  parseFrrBgpSummary,
  parseFrrPrefixPaths,
  type FrrBgpRoute,
  type FrrBgpSummary,
  type FrrPrefixPath,
} from '../parse/frr.ts';
import { routerTarget } from '../subjects.ts';

/**
 * The daemon's client reached the speaker and found no daemon behind the control socket: BIRD's
 * client (birdc 2.0, calico-node's birdcl 1.6) says "Unable to connect to server control socket
 * (<path>): Connection refused | No such file or directory"; FRR 8's vtysh says "bgpd is not
 * running", or "Exiting: failed to connect to any daemons." when none runs. The command itself
 * ran (the node, the pod, the container answered), so this is what runs there, not a failure to
 * look; a claim about what runs reads it as a finding (see `heard`). A timeout, a missing client
 * or a speaker the transport cannot reach stays a ProbeFailure: could not look.
 */
export class DaemonSilent extends ProbeFailure {
  constructor(
    readonly daemon: 'BIRD' | 'FRR',
    readonly speaker: BgpSpeaker,
    readonly said: string,
    result: ExecResult,
  ) {
    super(`${describeSpeaker(daemon, speaker)} does not answer: ${said}`, result, 'exit');
  }
}

const SILENT: Record<'bird' | 'frr', RegExp> = {
  bird: /^Unable to connect to server control socket \(.*\): (?:Connection refused|No such file or directory)$/m,
  frr: /^(?:bgpd is not running|Exiting: failed to connect to any daemons\.)$/m,
};

export function describeSpeaker(daemon: 'BIRD' | 'FRR', speaker: BgpSpeaker): string {
  return `${daemon} on ${speaker.kind === 'node' ? `node ${speaker.name}` : `router ${speaker.name}`}`;
}

/** The line a silent daemon's client printed, if that is what `result` shows. */
export function silenceOf(daemon: 'bird' | 'frr', result: ExecResult): string | undefined {
  if (result.exitCode === 0 || result.timedOut) return undefined;
  return SILENT[daemon].exec(`${result.stderr}\n${result.stdout}`)?.[0];
}

async function ask<T>(cluster: Cluster, speaker: BgpSpeaker, command: string[], parse: (text: string) => T): Promise<Observation<T>> {
  const control = await cluster.bgpControl(speaker);
  const argv = control.daemon === 'frr' ? [...control.argv, '-c', command.join(' ')] : [...control.argv, ...command];
  try {
    return await runProbe(cluster, control.target, argv, parse);
  } catch (error) {
    const said = error instanceof ProbeFailure && error.reason === 'exit' ? silenceOf(control.daemon, error.result) : undefined;
    if (said === undefined) throw error;
    throw new DaemonSilent(control.daemon === 'frr' ? 'FRR' : 'BIRD', speaker, said, (error as ProbeFailure).result);
  }
}

/** What a daemon answered, or the evidence that no daemon answered its control socket. */
export type Heard<T> = ({ answered: true } & Observation<T>) | { answered: false; silence: DaemonSilent; evidence: ExecResult[] };

/**
 * For claims about what runs: a daemon that does not answer is a finding (it runs no session and
 * holds no route), kept with the client's output as evidence; every other failure to look is thrown.
 */
export async function heard<T>(probe: Promise<Observation<T>>): Promise<Heard<T>> {
  try {
    return { answered: true, ...(await probe) };
  } catch (error) {
    if (!(error instanceof DaemonSilent)) throw error;
    return { answered: false, silence: error, evidence: [error.result] };
  }
}

/** BIRD's BGP protocols on a node (its sessions), with their state. */
export async function birdBgpSessions(cluster: Cluster, node: string): Promise<Observation<BirdProtocol[]>> {
  const seen = await ask(cluster, { kind: 'node', name: node }, ['show', 'protocols'], parseBirdProtocols);
  return { ...seen, value: seen.value.filter((protocol) => protocol.proto === 'BGP') };
}

export function birdRoutes(cluster: Cluster, node: string): Promise<Observation<BirdRoute[]>> {
  return ask(cluster, { kind: 'node', name: node }, ['show', 'route'], parseBirdRoutes);
}

export function routerBgpSummary(cluster: Cluster, router: string): Promise<Observation<FrrBgpSummary>> {
  return ask(cluster, routerTarget(router), ['show', 'bgp', 'summary', 'json'], parseFrrBgpSummary);
}

/** What the router learned from one neighbour. */
export function routerRoutesFrom(cluster: Cluster, router: string, neighbor: string): Promise<Observation<FrrBgpRoute[]>> {
  return ask(cluster, routerTarget(router), ['show', 'bgp', 'ipv4', 'neighbors', neighbor, 'routes', 'json'], parseFrrBgpRoutes);
}

/** The prefixes the router advertises to one neighbour. */
export function routerAdvertisedTo(cluster: Cluster, router: string, neighbor: string): Promise<Observation<string[]>> {
  return ask(
    cluster,
    routerTarget(router),
    ['show', 'bgp', 'ipv4', 'neighbors', neighbor, 'advertised-routes', 'json'],
    parseFrrAdvertisedRoutes,
  );
}

/** Every path of the router's BGP table. */
export function routerBgpTable(cluster: Cluster, router: string): Promise<Observation<FrrBgpRoute[]>> {
  return ask(cluster, routerTarget(router), ['show', 'bgp', 'ipv4', 'json'], parseFrrBgpRoutes);
}

/** One prefix's paths on the router, with their communities. */
export function routerPrefixPaths(cluster: Cluster, router: string, prefix: string): Promise<Observation<FrrPrefixPath[]>> {
  return ask(cluster, routerTarget(router), ['show', 'bgp', 'ipv4', prefix, 'json'], parseFrrPrefixPaths);
}

/** `birdc disable|enable <protocol>` on a node: an operator taking one BGP session down or up again. */
export async function switchBirdProtocol(cluster: Cluster, node: string, protocol: string, on: boolean): Promise<void> {
  await ask(cluster, { kind: 'node', name: node }, [on ? 'enable' : 'disable', protocol], (text) => text);
}
