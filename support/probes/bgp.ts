/**
 * What the BGP daemons say: BIRD on a node (birdc in the lab, birdcl inside calico-node on a
 * live cluster) and FRR on the router (vtysh, JSON). One command each, parsed by a tested parser.
 */
import type { BgpSpeaker, Cluster } from '../cluster/cluster.ts';
import { runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseBirdProtocols, parseBirdRoutes, type BirdProtocol, type BirdRoute } from './parse/bird.ts';
import {
  parseFrrAdvertisedRoutes,
  parseFrrBgpRoutes,
  parseFrrBgpSummary,
  parseFrrPrefixPaths,
  type FrrBgpRoute,
  type FrrBgpSummary,
  type FrrPrefixPath,
} from './parse/frr.ts';

async function ask<T>(cluster: Cluster, speaker: BgpSpeaker, command: string[], parse: (text: string) => T): Promise<Observation<T>> {
  const control = await cluster.bgpControl(speaker);
  const argv = control.daemon === 'frr' ? [...control.argv, '-c', command.join(' ')] : [...control.argv, ...command];
  return runProbe(cluster, control.target, argv, parse);
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
  return ask(cluster, { kind: 'router', name: router }, ['show', 'bgp', 'summary', 'json'], parseFrrBgpSummary);
}

/** What the router learned from one neighbour. */
export function routerRoutesFrom(cluster: Cluster, router: string, neighbor: string): Promise<Observation<FrrBgpRoute[]>> {
  return ask(
    cluster,
    { kind: 'router', name: router },
    ['show', 'bgp', 'ipv4', 'neighbors', neighbor, 'routes', 'json'],
    parseFrrBgpRoutes,
  );
}

/** The prefixes the router advertises to one neighbour. */
export function routerAdvertisedTo(cluster: Cluster, router: string, neighbor: string): Promise<Observation<string[]>> {
  return ask(
    cluster,
    { kind: 'router', name: router },
    ['show', 'bgp', 'ipv4', 'neighbors', neighbor, 'advertised-routes', 'json'],
    parseFrrAdvertisedRoutes,
  );
}

/** Every path of the router's BGP table. */
export function routerBgpTable(cluster: Cluster, router: string): Promise<Observation<FrrBgpRoute[]>> {
  return ask(cluster, { kind: 'router', name: router }, ['show', 'bgp', 'ipv4', 'json'], parseFrrBgpRoutes);
}

/** One prefix's paths on the router, with their communities. */
export function routerPrefixPaths(cluster: Cluster, router: string, prefix: string): Promise<Observation<FrrPrefixPath[]>> {
  return ask(cluster, { kind: 'router', name: router }, ['show', 'bgp', 'ipv4', prefix, 'json'], parseFrrPrefixPaths);
}

/** `birdc disable|enable <protocol>` on a node: an operator taking one BGP session down or up again. */
export async function switchBirdProtocol(cluster: Cluster, node: string, protocol: string, on: boolean): Promise<void> {
  await ask(cluster, { kind: 'node', name: node }, [on ? 'enable' : 'disable', protocol], (text) => text);
}
