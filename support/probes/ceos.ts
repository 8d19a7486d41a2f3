/**
 * The course's Arista cEOS switch, read through its own JSON output (`Cli -p 15 -c "<show
 * command> | json"`), never its CLI tables. The embedded lab's router is FRR on Linux and has
 * no such CLI: the claims that read it are live only.
 */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';

export type CeosJson = Record<string, any>;

/** A show command's answer as JSON. */
export function ceosShow(cluster: Cluster, router: ExecTarget, command: string): Promise<Observation<CeosJson>> {
  return runProbe(cluster, router, ['Cli', '-p', '15', '-c', `${command} | json`], (text) => JSON.parse(text) as CeosJson);
}

/** The switch pings `address` (so that its tables learn the host), its text kept as evidence. */
export function ceosPing(cluster: Cluster, router: ExecTarget, address: string): Promise<Observation<string>> {
  return runProbe(cluster, router, ['Cli', '-p', '15', '-c', `ping ${address}`], (text) => text);
}
