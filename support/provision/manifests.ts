/**
 * The course's fixtures, rendered for one cluster: the Kind config with its name and node image,
 * the Calico Installation with its pool encapsulation. Comments and layout of the fixtures are
 * kept, so what a dry run prints reads like the files in fixtures/.
 */
import { readFile, readdir } from 'node:fs/promises';
import { isMap, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { Encapsulation } from '../net/calico.ts';

export const KIND_CONFIG_FIXTURE = 'fixtures/topologies/kind/kind-cluster.yaml';
export const INSTALLATION_FIXTURE = 'fixtures/topologies/kind/calico-installation.yaml';

export interface Fixtures {
  kindConfig: string;
  installation: string;
  /** Where the Installation comes from (path from the repository root). */
  installationFile?: string;
  /** The containerlab family: the topology file (path from the repository root) and its text. */
  clab?: { file: string; text: string };
  /** The topology's Calico objects (calico/*.yaml: BGPConfiguration, BGPPeers, pools), in file-name order. */
  calicoObjects?: FixtureFile[];
  /** The topology's workloads (lessons/<lesson>/*.yaml, then workloads/*.yaml), in file-name order. */
  workloads?: FixtureFile[];
}

/** A fixture file: its path from the repository root and its text. */
export interface FixtureFile {
  file: string;
  text: string;
}

const repoRoot = new URL('../../', import.meta.url);

export async function loadFixtures(topology = 'kind'): Promise<Fixtures> {
  const dir = `fixtures/topologies/${topology}`;
  const [kindConfig, installation] = await Promise.all([
    readFile(new URL(`${dir}/kind-cluster.yaml`, repoRoot), 'utf8'),
    readFile(new URL(`${dir}/calico-installation.yaml`, repoRoot), 'utf8'),
  ]);
  const clabFile = `${dir}/topology.clab.yaml`;
  const clab = await readFile(new URL(clabFile, repoRoot), 'utf8').then(
    (text) => ({ file: clabFile, text }),
    () => undefined,
  );
  const lessons = (await yamlDirs(dir, 'lessons')).map((lesson) => `lessons/${lesson}`);
  const [calicoObjects, workloads] = await Promise.all([
    yamlFiles(`${dir}/calico`),
    Promise.all([...lessons, 'workloads'].map((sub) => yamlFiles(`${dir}/${sub}`))).then((lists) => lists.flat()),
  ]);
  return {
    kindConfig,
    installation,
    installationFile: `${dir}/calico-installation.yaml`,
    ...(clab ? { clab } : {}),
    ...(calicoObjects.length ? { calicoObjects } : {}),
    ...(workloads.length ? { workloads } : {}),
  };
}

/** The sub-folders of `<dir>/<sub>`, sorted; none when it does not exist. */
async function yamlDirs(dir: string, sub: string): Promise<string[]> {
  const entries = await readdir(new URL(`${dir}/${sub}/`, repoRoot), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The *.yaml files of a folder (path from the repository root), in file-name order; none when it does not exist. */
async function yamlFiles(dir: string): Promise<FixtureFile[]> {
  const names = await readdir(new URL(`${dir}/`, repoRoot)).catch(() => [] as string[]);
  const files = names.filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(
    files.map(async (name) => ({ file: `${dir}/${name}`, text: await readFile(new URL(`${dir}/${name}`, repoRoot), 'utf8') })),
  );
}

/** One object of a manifest: what the plan names and waits for. */
export interface ManifestObject {
  kind: string;
  name: string;
  /** Undefined for a cluster-scoped object. */
  namespace?: string;
}

/** The objects of a manifest, in order. */
export function objectsOf(text: string, file: string): ManifestObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  docs.forEach((doc) => assertParsed(doc, file));
  return docs
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null)
    .filter((obj) => obj !== null && obj !== undefined)
    .map((obj) => {
      if (!obj.kind || !obj.metadata?.name) throw new Error(`${file}: a document without kind or metadata.name`);
      return { kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
    });
}

/**
 * A workload manifest in the suite's namespace: the course writes `namespace: default` (or
 * none); the scenarios read one namespace, so every such object goes there, as the kind target
 * moves its own workloads (support/cluster/kind/workloads.ts). Comments and layout are kept.
 */
export function renderWorkload(text: string, file: string, namespace: string): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file} holds no YAML documents`);
  for (const doc of docs) {
    assertParsed(doc, file);
    if (doc.contents === null || doc.get('kind') === 'Namespace') continue;
    const current = doc.getIn(['metadata', 'namespace']);
    if (current === undefined || current === 'default') doc.setIn(['metadata', 'namespace'], namespace);
  }
  return docs.map((doc) => doc.toString()).join('');
}

export interface KindConfig {
  text: string;
  /** How many nodes the config asks for: what "all nodes Ready" waits for. */
  nodeCount: number;
  /** How many of them are workers (kind's default role is control-plane only when said). */
  workerCount: number;
}

export function renderKindConfig(fixture: string, cluster: { name: string; image: string }): KindConfig {
  const doc = parseDocument(fixture);
  assertParsed(doc, KIND_CONFIG_FIXTURE);
  if (doc.get('kind') !== 'Cluster') throw new Error(`${KIND_CONFIG_FIXTURE} is not a kind Cluster config`);
  const nodes = doc.get('nodes');
  if (!isSeq(nodes) || nodes.items.length === 0) throw new Error(`${KIND_CONFIG_FIXTURE} lists no nodes`);
  doc.set('name', cluster.name);
  for (const node of nodes.items) {
    if (!isMap(node)) throw new Error(`${KIND_CONFIG_FIXTURE}: every node must be a mapping`);
    node.set('image', cluster.image);
  }
  const workerCount = nodes.items.filter((node) => isMap(node) && node.get('role') === 'worker').length;
  return { text: doc.toString(), nodeCount: nodes.items.length, workerCount };
}

/** The fixture's documents, the Installation's IP pools set to `encapsulation` when one is given. */
export function renderInstallation(fixture: string, encapsulation?: Encapsulation): string {
  const docs = parseAllDocuments(fixture);
  if (!Array.isArray(docs)) throw new Error(`${INSTALLATION_FIXTURE} holds no YAML documents`);
  docs.forEach((doc) => assertParsed(doc, INSTALLATION_FIXTURE));
  const installation = docs.find((doc) => doc.get('kind') === 'Installation');
  if (!installation) throw new Error(`${INSTALLATION_FIXTURE} has no Installation`);
  const pools = installation.getIn(['spec', 'calicoNetwork', 'ipPools']);
  if (!isSeq(pools) || pools.items.length === 0) throw new Error(`${INSTALLATION_FIXTURE}: the Installation has no ipPools`);
  if (encapsulation !== undefined) {
    for (const pool of pools.items) {
      if (!isMap(pool)) throw new Error(`${INSTALLATION_FIXTURE}: every ipPool must be a mapping`);
      pool.set('encapsulation', encapsulation);
    }
    const note = ` cluster:up --encapsulation ${encapsulation}: the pool encapsulation below replaces the fixture's.`;
    installation.commentBefore = installation.commentBefore ? `${installation.commentBefore}\n${note}` : note;
  }
  return docs.map((doc) => doc.toString()).join('');
}

/** The encapsulation of the Installation's pools as written, for reports and tests. */
export function poolEncapsulations(installationYaml: string): string[] {
  const docs = parseAllDocuments(installationYaml);
  if (!Array.isArray(docs)) return [];
  const installation = docs.find((doc) => doc.get('kind') === 'Installation');
  const pools = installation?.toJS()?.spec?.calicoNetwork?.ipPools;
  return Array.isArray(pools) ? pools.map((pool: { encapsulation?: unknown }) => String(pool.encapsulation)) : [];
}

function assertParsed(doc: Document.Parsed, file: string): void {
  const first = doc.errors[0];
  if (first) throw new Error(`${file} is not valid YAML: ${first.message}`);
}
