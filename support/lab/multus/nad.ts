/**
 * NetworkAttachmentDefinitions (k8s.cni.cncf.io/v1) as a fixture declares them: the name, the
 * namespace and the CNI configuration Multus hands to the plugin it names (spec.config, JSON).
 * Parsing is strict: a configuration that is not JSON, or that lacks what the lab needs to run
 * the plugin, is an error naming the NAD.
 */

export interface NadIpam {
  type: string;
  /** Whereabouts' `range`: `<first>-<last>/<prefix>` or a CIDR. */
  range: string;
  exclude: string[];
  gateway: string | undefined;
}

export interface NadSpec {
  name: string;
  namespace: string;
  /** spec.config exactly as applied (what `kubectl get net-attach-def -o json` shows). */
  config: string;
  /** The plugin Multus executes (`type`): macvlan, ipvlan. */
  type: string;
  master: string;
  mode: string | undefined;
  ipam: NadIpam;
}

type Doc = Record<string, unknown>;

export function nadSpecOf(doc: Doc, file: string): NadSpec {
  const metadata = (doc.metadata ?? {}) as Doc;
  const name = String(metadata.name ?? '');
  if (!name) throw new Error(`${file}: a NetworkAttachmentDefinition without metadata.name`);
  const config = (doc.spec as Doc | undefined)?.config;
  if (typeof config !== 'string') throw new Error(`${file}: NetworkAttachmentDefinition ${name} has no spec.config string`);
  return {
    name,
    namespace: String(metadata.namespace ?? 'default'),
    ...parseNadConfig(config, `${file}: NetworkAttachmentDefinition ${name}`),
  };
}

/** The fields of a NAD's CNI configuration the lab acts on. */
export function parseNadConfig(config: string, where: string): Omit<NadSpec, 'name' | 'namespace'> {
  let parsed: Doc;
  try {
    parsed = JSON.parse(config) as Doc;
  } catch (error) {
    throw new Error(`${where}: spec.config is not JSON (${(error as Error).message})`);
  }
  const text = (key: string, from: Doc, optional = false): string | undefined => {
    const value = from[key];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string') throw new Error(`${where}: spec.config has no string "${key}"`);
    return value;
  };
  const ipam = parsed.ipam as Doc | undefined;
  if (!ipam || typeof ipam !== 'object') throw new Error(`${where}: spec.config has no "ipam"`);
  const exclude = ipam.exclude ?? [];
  if (!Array.isArray(exclude) || exclude.some((entry) => typeof entry !== 'string'))
    throw new Error(`${where}: ipam.exclude must be a list of CIDRs`);
  return {
    config,
    type: text('type', parsed) as string,
    master: text('master', parsed) as string,
    mode: text('mode', parsed, true),
    ipam: { type: text('type', ipam) as string, range: text('range', ipam) as string, exclude, gateway: text('gateway', ipam, true) },
  };
}

/** The networks a pod asks Multus for: `k8s.v1.cni.cncf.io/networks`, a comma-separated list of NAD names. */
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

export function requestedNetworks(annotations: Record<string, string> | undefined): string[] {
  const value = annotations?.[NETWORKS_ANNOTATION];
  if (value === undefined) return [];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names)
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      throw new Error(
        `${NETWORKS_ANNOTATION}: "${name}" is not a NAD name the lab understands (only names of the pod's namespace, no JSON form)`,
      );
  return names;
}
