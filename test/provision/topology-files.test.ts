import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const TOPOLOGIES = join(import.meta.dirname, '../../fixtures/topologies');
const clabFiles = readdirSync(TOPOLOGIES)
  .map((topology) => join(TOPOLOGIES, topology, 'topology.clab.yaml'))
  .filter((file) => existsSync(file));

type ClabDoc = { topology: { nodes: Record<string, { kind: string; 'startup-config'?: string; binds?: string[]; exec?: string[] }> } };

test('the containerlab topologies are there to check', () => {
  assert.ok(clabFiles.length >= 7, `${clabFiles.length} topology files`);
});

test('T3-10: every startup-config and bind names a file that exists relative to the topology file', () => {
  // containerlab resolves both against the topology file's directory (clab/config.go:
  // utils.ResolvePath(p, c.TopoPaths.TopologyFileDir())); the k8s-kind node then reads it.
  for (const file of clabFiles) {
    const doc = parse(readFileSync(file, 'utf8')) as ClabDoc;
    for (const [name, node] of Object.entries(doc.topology.nodes)) {
      const paths = [node['startup-config'], ...(node.binds ?? []).map((bind) => bind.split(':')[0])].filter(
        (path): path is string => path !== undefined,
      );
      for (const path of paths)
        assert.ok(existsSync(resolve(dirname(file), path)), `${file}: node ${name} names ${path}, which does not exist there`);
    }
  }
});

test("T3-11: each router's first exec line removes Docker's default route, as the course's router has none", () => {
  for (const file of clabFiles) {
    const doc = parse(readFileSync(file, 'utf8')) as ClabDoc;
    const routers = Object.entries(doc.topology.nodes).filter(([, node]) => node.kind === 'linux');
    assert.ok(routers.length <= 1, `${file}: at most one router (a topology of one Kind cluster has none)`);
    for (const [name, node] of routers) assert.equal(node.exec?.[0], 'ip route del default', `${file}: router ${name}`);
  }
});

test('T3-12: an Installation file holds only operator.tigera.io objects; projectcalico.org/v3 ones wait for the API server in calico/', () => {
  for (const topology of readdirSync(TOPOLOGIES)) {
    const file = join(TOPOLOGIES, topology, 'calico-installation.yaml');
    const kinds = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc) => doc.toJS() as { apiVersion?: string; kind?: string } | null)
      .filter((doc) => doc !== null);
    for (const doc of kinds) assert.equal(doc.apiVersion, 'operator.tigera.io/v1', `${file}: ${doc.kind} (${doc.apiVersion})`);
  }
});
