/**
 * What lessons 01, 09 and 16 change in a cluster (a pool's natOutgoing turned off, a
 * DaemonSet's pod template patched, an IPReservation applied, pods asking for fixed addresses,
 * a pod refused its address) is put back by the suite: the labs' model and kernel are the same before and after their scenarios.
 *
 * "The same" allows what a real cluster changes too: a DaemonSet's replaced pods have new
 * names and new addresses (from the same blocks), and a block claimed for a fixed address
 * stays affine to its node once empty, as Calico keeps it (with its blackhole route).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { run } from '../../support/exec/run.ts';
import { labDown, labNamespaces, labUp } from '../../support/lab/lab.ts';
import type { LabState } from '../../support/lab/model.ts';
import { readState } from '../../support/lab/state.ts';
import { cidrContains } from '../../support/net/cidr.ts';
import { runE2eProcess } from '../e2e-process.ts';
import { labNameFor } from '../../support/topology/catalogue.ts';

const RUN_LAB = 'pnh13undo';
const TOPOLOGIES = ['kind', 'static-ip', 'multi-ippool'];
const isRoot = process.getuid?.() === 0;
const labs = TOPOLOGIES.map((topology) => ({ topology, name: labNameFor(RUN_LAB, topology) }));

after(async () => {
  if (!isRoot) return;
  for (const lab of new Set([...labs.map((l) => l.name), RUN_LAB])) await labDown(lab);
});

/** A token for an address: the pod holding it (by workload and node), else the address itself. */
function tokens(state: LabState): Map<string, string> {
  const map = new Map<string, string>();
  for (const pod of state.pods.filter((candidate) => !candidate.hostNetwork)) {
    const pool = state.spec.pools.find((candidate) => cidrContains(candidate.cidr, pod.ip))?.name ?? 'no pool';
    map.set(pod.ip, `<${pod.workload}@${pod.node} from ${pool}>`);
    if (pod.hostInterface) map.set(pod.hostInterface, `<cali of ${pod.workload}@${pod.node}>`);
    if (pod.ownerKind === 'DaemonSet') map.set(pod.name, `<${pod.workload}@${pod.node}>`);
  }
  return map;
}

function replaceAll(text: string, map: Map<string, string>): string {
  let out = text;
  for (const [from, to] of [...map].sort((a, b) => b[0].length - a[0].length)) out = out.split(from).join(to);
  return out;
}

const emptyBlocks = (state: LabState) =>
  state.ipam.blocks.filter((block) => Object.keys(block.allocations).length === 0).map((block) => block.cidr);

function model(state: LabState): string {
  const map = tokens(state);
  const empty = emptyBlocks(state);
  return replaceAll(
    JSON.stringify(
      {
        nodes: state.nodes.map(({ holderPid: _, ...node }) => node),
        pods: state.pods
          .map(({ annotations: _, ...pod }) => pod)
          .sort((a, b) => `${a.workload}${a.node}`.localeCompare(`${b.workload}${b.node}`)),
        pendingPods: state.pendingPods,
        events: Object.keys(state.events).filter((key) => !state.pods.some((pod) => `${pod.namespace}/${pod.name}` === key)),
        blocks: state.ipam.blocks
          .filter((block) => !empty.includes(block.cidr))
          .map((block) => ({ cidr: block.cidr, node: block.node, held: Object.values(block.allocations).length })),
        reservations: state.ipam.reservations,
        spec: state.spec,
      },
      null,
      1,
    ),
    map,
  );
}

async function kernel(state: LabState): Promise<string> {
  const map = tokens(state);
  const empty = emptyBlocks(state);
  const namespaces = (await labNamespaces(state.name)).map((name) => replaceAll(name, map)).sort();
  const nodes = await Promise.all(
    state.nodes.map(async (node) => {
      const inNode = (argv: string[]) =>
        run(['ip', 'netns', 'exec', node.netns, ...argv], { where: node.netns }).then((result) => result.stdout);
      const routes = (await inNode(['ip', 'route', 'show']))
        .split('\n')
        .filter((line) => line && !empty.some((cidr) => line.includes(cidr)));
      const links = (await inNode(['ip', '-o', 'link', 'show']))
        .split('\n')
        .map((line) => line.replace(/^\d+: /, '').replace(/ link-netns \S+| link-netnsid \d+|@if\d+|\\.*$/g, ''));
      const nat = (await inNode(['iptables', '-t', 'nat', '-S'])).split('\n');
      // A hash set lists its members in no fixed order, and each creation draws a new initval.
      const sets = (await inNode(['ipset', 'list', '-o', 'save']))
        .split('\n')
        .map((line) => line.replace(/ initval 0x[0-9a-f]+/, ''))
        .filter(Boolean)
        .sort()
        .join('\n');
      return `${node.name}\n${replaceAll([...routes.sort(), ...links.sort(), ...nat, sets].join('\n'), map)}`;
    }),
  );
  return [namespaces.join('\n'), ...nodes].join('\n\n');
}

test(
  'the scenarios of lessons 01, 09 and 16 leave their labs as they found them',
  { skip: !isRoot && 'needs root', timeout: 300_000 },
  async () => {
    for (const lab of new Set([...labs.map((l) => l.name), RUN_LAB])) await labDown(lab);
    // The run attaches to labs already up (and leaves them up): bring them up first, to look before and after.
    await labUp({ name: RUN_LAB });
    const before = new Map<string, { model: string; kernel: string }>();
    for (const lab of labs) {
      const { state } = await labUp({ name: lab.name, topology: lab.topology });
      before.set(lab.name, { model: model(state), kernel: await kernel(state) });
    }
    const outcome = await runE2eProcess(undefined, RUN_LAB, ['--tags', '@lesson-01 or @lesson-09 or @lesson-16']);
    assert.ok(
      outcome.results.length >= 15,
      `the lessons' scenarios ran (${outcome.results.length} results${outcome.error ? `: ${outcome.error}` : ''})`,
    );
    assert.deepEqual(
      outcome.results
        .filter((result) => result.status === 'failed' || result.status === 'broken')
        .map((result) => `[${result.claim}] ${result.message?.split('\n')[0]}`),
      [],
    );
    for (const lab of labs) {
      const state = readState(lab.name);
      assert.ok(state, `lab ${lab.name} is still up`);
      assert.equal(model(state), before.get(lab.name)?.model, `the model of ${lab.name} changed`);
      const now = (await kernel(state)).split('\n');
      const then = (before.get(lab.name)?.kernel ?? '').split('\n');
      assert.deepEqual(
        { gone: then.filter((line) => !now.includes(line)), added: now.filter((line) => !then.includes(line)) },
        { gone: [], added: [] },
        `the kernel of ${lab.name} changed`,
      );
    }
  },
);
