/**
 * "Back to clean" after a fault is undone: the lab's model as its state file holds it, and a
 * quick look at the kernel of its nodes and router (links, routes, iptables rules), each
 * compared with what they were before the fault was applied.
 */
import { eventually } from '../eventually.ts';
import { execIn } from '../lab/kernel.ts';
import { labNamespaces } from '../lab/lab.ts';
import type { LabState } from '../lab/model.ts';
import { readState } from '../lab/state.ts';
import { routerNetns } from '../lab/naming.ts';

export interface CleanLook {
  model: string;
  /** namespace → what the kernel showed there, one normalised line each. */
  kernel: Map<string, string[]>;
  namespaces: string[];
}

/** The model without what differs on every rebuild (the PIDs of the processes holding the nodes' files). */
function modelOf(state: LabState): string {
  return JSON.stringify({
    nodes: state.nodes.map(({ holderPid: _, ...node }) => node),
    pods: state.pods,
    ipam: state.ipam,
    spec: state.spec,
    services: state.services,
    faults: state.faults,
  });
}

/** Link names with their MTU and flags (not indexes or MACs, which a rebuild changes). */
function links(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^\d+:\s+([^:@\s]+)(?:@[^:]+)?:\s+<([^>]*)>.*?\bmtu (\d+)/.exec(line);
      return match ? `link ${match[1]} mtu ${match[3]} <${match[2]}>` : `link? ${line}`;
    });
}

/**
 * Every route of every table (IPv4 and IPv6), but those of IPv6 link-local addresses: they
 * follow the MAC a rebuilt interface draws afresh, which no claim depends on.
 */
function routes(text: string): string[] {
  const joined: string[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    // A multipath route's next hops are continuation lines of it.
    if (/^\s/.test(line) && joined.length) joined[joined.length - 1] += ` ${line.trim()}`;
    else joined.push(line);
  }
  return joined.filter((line) => !/\bfe80:/.test(line)).map(normalRoute);
}

/**
 * A route as a rebuild must give it back: without the kernel's next-hop object id (numbered in
 * the order routes arrive), and a route a BGP daemon installed by its prefix alone — which
 * speaker's path wins depends on which session came up first.
 */
function normalRoute(line: string): string {
  const withoutId = line.replace(/\bnhid \d+ /, '');
  const learned = /^(\S+(?: table \S+)?).*\bproto (bgp|bird)\b/.exec(withoutId);
  return learned ? `${learned[1]} proto ${learned[2]}` : withoutId;
}

/** iptables-save without its comment lines and counters. */
function rules(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/\s\[\d+:\d+\]$/, ''));
}

async function kernelOf(netns: string): Promise<string[]> {
  const [link, route, iptables] = await Promise.all([
    execIn(netns, ['ip', '-o', 'link', 'show']),
    execIn(netns, ['ip', 'route', 'show', 'table', 'all']),
    execIn(netns, ['iptables-save']),
  ]);
  return [
    ...links(link.stdout),
    ...routes(route.stdout).map((line) => `route ${line}`),
    ...rules(iptables.stdout).map((line) => `iptables ${line}`),
  ].sort();
}

export async function lookAtLab(labName: string): Promise<CleanLook> {
  const state = readState(labName);
  if (!state) throw new Error(`lab ${labName} has no state file`);
  const namespaces = (await labNamespaces(labName)).sort();
  const looked = state.nodes.map((node) => node.netns).filter((netns) => namespaces.includes(netns));
  if (namespaces.includes(routerNetns(labName))) looked.push(routerNetns(labName));
  const kernels = await Promise.all(looked.map(kernelOf));
  return { model: modelOf(state), kernel: new Map(looked.map((netns, index) => [netns, kernels[index] as string[]])), namespaces };
}

/** What differs between two looks, as sentences (empty when the lab is back as it was). */
export function differences(before: CleanLook, after: CleanLook): string[] {
  const found: string[] = [];
  if (before.model !== after.model) found.push('the lab model differs from the one before the fault');
  const gone = before.namespaces.filter((netns) => !after.namespaces.includes(netns));
  const added = after.namespaces.filter((netns) => !before.namespaces.includes(netns));
  if (gone.length) found.push(`namespaces gone: ${gone.join(', ')}`);
  if (added.length) found.push(`namespaces added: ${added.join(', ')}`);
  for (const [netns, lines] of before.kernel) {
    const now = after.kernel.get(netns) ?? [];
    const missing = lines.filter((line) => !now.includes(line));
    const extra = now.filter((line) => !lines.includes(line));
    if (missing.length || extra.length)
      found.push(
        `${netns}: ${[...missing.slice(0, 3).map((line) => `lost "${line}"`), ...extra.slice(0, 3).map((line) => `gained "${line}"`)].join('; ')}${missing.length + extra.length > 6 ? ' …' : ''}`,
      );
  }
  return found;
}

/**
 * How long the kernel may take to finish its own set-up of a rebuilt lab. The undo returns once
 * every link is up, but IPv6 adds its part a moment later: the multicast route of the local
 * table (`multicast ff00::/8 dev vlan10 table local proto kernel`) was seen missing right after
 * an undo on a loaded machine, once in the whole matrix. A difference that lasts this long is
 * what the undo left.
 */
const KERNEL_SETTLES_WITHIN_MS = 3_000;

/** What differs from `before` once the lab's kernel has settled after an undo (empty: back as it was). */
export async function differencesAfterUndo(before: CleanLook, labName: string): Promise<string[]> {
  let found: string[] = [];
  await eventually(
    async () => {
      found = differences(before, await lookAtLab(labName));
      return { ok: found.length === 0, expected: 'the lab as it was before the fault', observed: found.join('; '), evidence: [] };
    },
    { withinMs: KERNEL_SETTLES_WITHIN_MS, everyMs: 250 },
  );
  return found;
}
