/**
 * The course's fixtures, rendered for one cluster: the Kind config with its name and node image,
 * the Calico Installation with its pool encapsulation. Comments and layout of the fixtures are
 * kept, so what a dry run prints reads like the files in fixtures/.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { Encapsulation } from '../cluster/cluster.ts';

export const KIND_CONFIG_FIXTURE = 'fixtures/topologies/kind/kind-cluster.yaml';
export const INSTALLATION_FIXTURE = 'fixtures/topologies/kind/calico-installation.yaml';

export interface Fixtures {
  kindConfig: string;
  installation: string;
  /** Where the Installation comes from (path from the repository root). */
  installationFile?: string;
  /** The containerlab family: the topology file (path from the repository root) and its text. */
  clab?: { file: string; text: string };
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
  return { kindConfig, installation, installationFile: `${dir}/calico-installation.yaml`, ...(clab ? { clab } : {}) };
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
