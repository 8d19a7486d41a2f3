/**
 * A topology's BGP, read from its folder: the Calico resources the lesson applies (calico/*.yaml,
 * with the Installation's pool), the router's FRR configuration (the file the topology binds to
 * /etc/frr/frr.conf), and the node labels the Kind config gives (nodes[].labels, and the
 * kubelet's --node-labels in a kubeadm patch, as lesson 10 sets them).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { calicoBgpObjectsFrom, type CalicoBgpObjects } from '../../net/calico-bgp.ts';

export interface BgpSpec {
  objects: CalicoBgpObjects;
  /** frr.conf of the router, as the topology binds it. */
  routerConfig: string;
}

export const CALICO_RESOURCES_DIR = 'calico';

/** The Calico BGP resources of a topology (its calico/ folder and its Installation), or undefined when it has none. */
export function readBgpSpec(dir: string, clabFile: string): BgpSpec | undefined {
  const resourcesDir = join(dir, CALICO_RESOURCES_DIR);
  const routerConfig = routerFrrConfig(dir, clabFile);
  if (!existsSync(resourcesDir) || routerConfig === undefined || !/^router bgp /m.test(routerConfig)) return undefined;
  const files = readdirSync(resourcesDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => readFileSync(join(resourcesDir, file), 'utf8'));
  return { objects: calicoBgpObjectsFrom([readFileSync(join(dir, 'calico-installation.yaml'), 'utf8'), ...files]), routerConfig };
}

function routerFrrConfig(dir: string, clabFile: string): string | undefined {
  if (!existsSync(clabFile)) return undefined;
  const text = readFileSync(clabFile, 'utf8');
  const bind = /^\s*-\s*(\S+):\/etc\/frr\/frr\.conf\s*$/m.exec(text)?.[1];
  return bind ? readFileSync(join(dir, bind), 'utf8') : undefined;
}

type Doc = Record<string, any>;

/** Each Kind node's labels, in the Kind config's order: `labels:` and the kubelet's `node-labels`. */
export function kindNodeLabels(kindConfigText: string): Record<string, string>[] {
  const config = parseAllDocuments(kindConfigText)
    .map((doc) => doc.toJS() as Doc)
    .find((doc) => doc?.kind === 'Cluster');
  return ((config?.nodes as Doc[] | undefined) ?? []).map((node) => {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries((node.labels ?? {}) as Doc)) labels[key] = String(value);
    for (const patch of (node.kubeadmConfigPatches as string[] | undefined) ?? []) {
      const registration = parseAllDocuments(patch).map((doc) => doc.toJS() as Doc)[0]?.nodeRegistration as Doc | undefined;
      const flag = registration?.kubeletExtraArgs?.['node-labels'] as string | undefined;
      for (const pair of flag?.split(',') ?? []) {
        const [key, value] = pair.split('=');
        if (key) labels[key.trim()] = (value ?? '').trim();
      }
    }
    return labels;
  });
}
