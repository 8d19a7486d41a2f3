import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WORKLOADS_DIR, loadManifests, prepareManifest, type Manifest } from '../../support/cluster/kind/workloads.ts';
import { LESSON_FIXTURES_DIR } from '../../support/run/lessons-selected.ts';

test("a lesson's own namespace stays its own; the rest goes to the suite's namespace", async () => {
  const manifests = (await loadManifests(join(LESSON_FIXTURES_DIR, 'lesson-05'))).map((manifest) =>
    prepareManifest(manifest, 'podnet-e2e'),
  );
  const where = Object.fromEntries(
    manifests.map((manifest) => [`${manifest.kind}/${manifest.metadata.name}`, manifest.metadata.namespace]),
  );
  assert.equal(where['Namespace/foo'], undefined);
  assert.equal(where['DaemonSet/multitool-3'], 'foo');
  assert.equal(where['Service/multitool-3-service'], 'foo');
  assert.equal(where['Service/multitool-1-service'], 'podnet-e2e');
});

/** Every string a container runs with: command, args and plain env values. */
function containerStrings(manifest: Manifest): { container: string; text: string; env: Map<string, string> }[] {
  const spec = manifest.spec as { template?: { spec?: PodSpecLike } } | PodSpecLike | undefined;
  const pod: PodSpecLike | undefined =
    manifest.kind === 'Pod' ? (spec as PodSpecLike) : (spec as { template?: { spec?: PodSpecLike } })?.template?.spec;
  const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
  return containers.map((container) => ({
    container: `${manifest.kind}/${manifest.metadata.name} container ${container.name}`,
    text: [...(container.command ?? []), ...(container.args ?? []), ...(container.env ?? []).map((env) => env.value ?? '')].join('\n'),
    env: new Map((container.env ?? []).map((env) => [env.name, env.valueFrom?.fieldRef?.fieldPath ?? ''])),
  }));
}

interface PodSpecLike {
  initContainers?: ContainerLike[];
  containers?: ContainerLike[];
}
interface ContainerLike {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
}

async function everyWorkloadManifest(): Promise<Manifest[]> {
  const lessons = readdirSync(LESSON_FIXTURES_DIR).map((lesson) => join(LESSON_FIXTURES_DIR, lesson));
  const topologies = join(import.meta.dirname, '../../fixtures/topologies');
  const topologyDirs = readdirSync(topologies).flatMap((topology) => {
    const lessonsDir = join(topologies, topology, 'lessons');
    const workloads = join(topologies, topology, 'workloads');
    return [
      ...(existsSync(lessonsDir) ? readdirSync(lessonsDir).map((lesson) => join(lessonsDir, lesson)) : []),
      ...(existsSync(workloads) ? [workloads] : []),
    ];
  });
  return (await Promise.all([DEFAULT_WORKLOADS_DIR, ...lessons, ...topologyDirs].map((dir) => loadManifests(dir)))).flat();
}

test('T3-01: no container names a Service in a fixed namespace; a namespace in a name comes from the downward API', async () => {
  const manifests = await everyWorkloadManifest();
  assert.ok(
    manifests.some((manifest) => manifest.kind === 'StatefulSet'),
    "lesson 11's StatefulSet is among them",
  );
  for (const raw of manifests) {
    // Applied where the kind target applies it: a name that held only in `default` shows up here.
    const manifest = prepareManifest(raw, 'podnet-e2e');
    for (const { container, text, env } of containerStrings(manifest)) {
      for (const [name] of text.matchAll(/[\w.${}()-]+\.svc\.cluster\.local/g)) {
        const namespace = /\.([^.]+)\.svc\.cluster\.local$/.exec(name)?.[1];
        assert.match(
          namespace ?? '',
          /^[$][({]POD_NAMESPACE[)}]$/,
          `${container} names ${name}: take the namespace from $(POD_NAMESPACE), or use the short name`,
        );
        assert.equal(
          env.get('POD_NAMESPACE'),
          'metadata.namespace',
          `${container} uses POD_NAMESPACE without the downward API's metadata.namespace`,
        );
      }
    }
  }
});
