/**
 * The topologies the suite knows: one folder each under fixtures/topologies/<name>/ (a Kind
 * config, the Calico Installation, and for the containerlab family a topology file and the
 * router's configuration). A feature names its topology with a tag on its Feature line,
 * `@topology:<name>`; an untagged feature runs on the default, `kind`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/usage-error.ts';

export const FIXTURES_DIR = resolve(import.meta.dirname, '../../fixtures');
export const TOPOLOGIES_DIR = join(FIXTURES_DIR, 'topologies');
/** The workloads every topology shares (a topology folder may hold its own workloads/ instead). */
export const SHARED_WORKLOADS_DIR = join(FIXTURES_DIR, 'workloads');

/**
 * The topologies by name, for code that names one (the labs a fault breaks): one home for the
 * names, checked against the folders of fixtures/topologies/ (test/topology/topology.test.ts).
 */
export const TOPOLOGY = {
  kind: 'kind',
  calicoOverlay: 'calico-overlay',
  calicoBgp: 'calico-bgp',
  calicoBgpLb: 'calico-bgp-lb',
  multiIppool: 'multi-ippool',
  calicoBgpIppool: 'calico-bgp-ippool',
  calicoQos: 'calico-qos',
  wireguard: 'wireguard',
  selectiveBgpPeering: 'selective-bgp-peering',
  staticIp: 'static-ip',
  mtuLab: 'mtu-lab',
  macvlan: 'macvlan',
  ipvlan: 'ipvlan',
} as const;

/** Lessons 02-05: Kind on one Docker network, one control-plane and two workers. */
export const DEFAULT_TOPOLOGY: string = TOPOLOGY.kind;
export const TOPOLOGY_TAG_PREFIX = '@topology:';

const TOPOLOGY_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function listTopologies(): string[] {
  try {
    return readdirSync(TOPOLOGIES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** The folder of a topology; an unknown name is a usage error that lists the known ones. */
export function topologyDir(name: string): string {
  const dir = join(TOPOLOGIES_DIR, name);
  if (!TOPOLOGY_NAME.test(name) || !existsSync(join(dir, 'kind-cluster.yaml'))) {
    throw new UsageError(`no topology named "${name}" (fixtures/topologies/ holds: ${listTopologies().join(', ') || 'none'})`);
  }
  return dir;
}

/** The topology named by a scenario's tags (its Feature's tags included), else the default. */
export function topologyOfTags(tags: readonly string[]): string {
  const named = [...new Set(tags.filter((tag) => tag.startsWith(TOPOLOGY_TAG_PREFIX)).map((tag) => tag.slice(TOPOLOGY_TAG_PREFIX.length)))];
  if (named.length > 1)
    throw new Error(`a scenario names more than one topology: ${named.map((name) => TOPOLOGY_TAG_PREFIX + name).join(', ')}`);
  return named[0] ?? DEFAULT_TOPOLOGY;
}

/**
 * The lab that serves a topology in a run: the run's lab name for the default topology,
 * `<lab>-<topology>` for the others. Both must stay DNS labels (see lab/naming.ts: the lab's
 * object prefix relies on it), so a name that would grow too long is refused here.
 */
export function labNameFor(runLab: string, topology: string): string {
  const name = topology === DEFAULT_TOPOLOGY ? runLab : `${runLab}-${topology}`;
  if (name.length > 63)
    throw new UsageError(`the lab of topology ${topology} would be named "${name}", longer than 63 characters; choose a shorter --lab`);
  return name;
}

/** `kind=podnet,calico-overlay=podnet-calico-overlay`: how the runner tells workers which lab serves which topology. */
export const LABS_ENV = 'PODNET_LABS';

export function formatLabsEnv(labs: ReadonlyMap<string, string>): string {
  return [...labs].map(([topology, lab]) => `${topology}=${lab}`).join(',');
}

export function parseLabsEnv(value: string | undefined): Map<string, string> {
  const labs = new Map<string, string>();
  for (const pair of (value ?? '').split(',').filter(Boolean)) {
    const [topology, lab] = pair.split('=');
    if (topology && lab) labs.set(topology, lab);
  }
  return labs;
}
