/**
 * The image of each container of the course's workloads, as their manifests under fixtures/
 * give it (the manifests the kind session applies): the lab's pods are shown through the API
 * with the image a real cluster would run, so the stand-in checks a command against that image.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet']);

type Images = Map<string, Map<string, string>>;
let cached: Images | undefined;

/** workload name → container name → image, over every manifest under fixtures/. */
export function workloadImages(dir = FIXTURES): Images {
  if (dir === FIXTURES && cached) return cached;
  const images: Images = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: any } | null;
      if (!obj || !WORKLOAD_KINDS.has(obj.kind ?? '') || !obj.metadata?.name) continue;
      const podSpec = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
      const containers = new Map<string, string>();
      for (const c of [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]) containers.set(c.name, c.image);
      const known = images.get(obj.metadata.name);
      // Two manifests of one name (nginx-deployment in several topologies) must agree on their images.
      for (const [name, image] of containers) {
        if (known?.has(name) && known.get(name) !== image)
          throw new Error(`${file}: ${obj.metadata.name}/${name} runs ${image}, another manifest ${known.get(name)}`);
      }
      images.set(obj.metadata.name, new Map([...(known ?? []), ...containers]));
    }
  }
  if (dir === FIXTURES) cached = images;
  return images;
}

/**
 * The image of a container of a workload. One no manifest names shows as an image that has no
 * inventory, so a command run in it is refused with that reason (nothing is assumed).
 */
export function imageOf(workload: string, container: string): string {
  const containers = workloadImages().get(workload);
  const image = containers?.get(container) ?? (containers?.size === 1 ? [...containers.values()][0] : undefined);
  return image ?? `(no manifest under fixtures/ names ${workload}/${container})`;
}
