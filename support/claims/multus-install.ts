/**
 * Lesson 21, live only: what installing Multus and Whereabouts leaves on the cluster and its
 * nodes (the DaemonSet's pods, /etc/cni/net.d, /opt/cni/bin, the CRDs). The embedded lab runs the
 * plugins but has no Multus or Whereabouts to install, so these claims are tagged @live-only.
 */
import type { ExecResult } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { crdNames } from '../probes/kubectl.ts';
import { cniConfigJson, cniExecutables, directoryEntries } from '../probes/node-config.ts';
import { nodeTarget } from '../subjects.ts';

/** L21-02: in `namespace`, the pods labelled `label` (`app=multus`): one per node, each Running with its containers ready. */
export async function onePodPerNode(cluster: Cluster, namespace: string, label: string): Promise<Verdict> {
  const [key, value] = label.split('=');
  const [nodes, pods] = await Promise.all([cluster.nodes(), cluster.pods({ namespace })]);
  const labelled = pods.filter((pod) => pod.labels[key as string] === value);
  const running = (node: string) =>
    labelled.filter((pod) => pod.node === node && pod.phase === 'Running' && pod.containers.every((container) => container.ready));
  return verdict(
    nodes.every((node) => running(node.name).length === 1) && labelled.length === nodes.length,
    `one Running, ready pod labelled ${label} in ${namespace} on each of ${list(nodes.map((node) => node.name))}`,
    list(labelled.map((pod) => `${pod.name} on ${pod.node} ${pod.phase}`)),
  );
}

/** L21-03: every node's /etc/cni/net.d holds `entries`, and `first` sorts before every other file. */
export async function cniConfDir(cluster: Cluster, entries: string[], first: string): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({
      node: node.name,
      listing: await directoryEntries(cluster, nodeTarget(node.name), '/etc/cni/net.d'),
    })),
  );
  const problems = seen.flatMap(({ node, listing }) => [
    ...entries.filter((entry) => !listing.value.includes(entry)).map((entry) => `${node}: no ${entry}`),
    ...(listing.value.filter((name) => /\.(conf|conflist|json)$/.test(name)).sort()[0] === first ? [] : [`${node}: ${first} is not first`]),
  ]);
  return verdict(
    nodes.length > 0 && problems.length === 0,
    `/etc/cni/net.d on every node with ${list(entries)}, ${first} first`,
    problems.length ? list(problems) : list(seen.map(({ node, listing }) => `${node}: ${listing.value.join(' ')}`)),
    seen.flatMap(({ listing }) => listing.evidence),
  );
}

type Json = Record<string, any>;

/** L21-04: the Multus configuration: type multus, its name and kubeconfig, Calico's conflist as the first delegate. */
export async function multusConfig(
  cluster: Cluster,
  file: string,
  expected: { name: string; kubeconfig: string; delegate: string; plugins: string[] },
): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const evidence: ExecResult[] = [];
  const problems: string[] = [];
  for (const node of nodes) {
    const seen = await cniConfigJson(cluster, nodeTarget(node.name), file);
    evidence.push(...seen.evidence);
    const config = seen.value as Json;
    const delegate = (config.delegates ?? [])[0] ?? {};
    const plugins = ((delegate.plugins ?? []) as Json[]).map((plugin) => String(plugin.type));
    const calico = ((delegate.plugins ?? []) as Json[]).find((plugin) => plugin.type === 'calico');
    if (config.type !== 'multus') problems.push(`${node.name}: type ${config.type}`);
    if (config.name !== expected.name) problems.push(`${node.name}: name ${config.name}`);
    if (config.kubeconfig !== expected.kubeconfig) problems.push(`${node.name}: kubeconfig ${config.kubeconfig}`);
    if (delegate.name !== expected.delegate) problems.push(`${node.name}: delegates[0] ${delegate.name}`);
    if (plugins.join(',') !== expected.plugins.join(',')) problems.push(`${node.name}: plugins ${plugins.join(', ')}`);
    if (calico?.ipam?.type !== 'calico-ipam') problems.push(`${node.name}: calico's ipam ${calico?.ipam?.type}`);
  }
  return verdict(
    nodes.length > 0 && problems.length === 0,
    `${file} on every node: type multus, name ${expected.name}, kubeconfig ${expected.kubeconfig}, delegates[0] ${expected.delegate} with ${list(expected.plugins)}`,
    problems.length ? list(problems) : 'as expected',
    evidence,
  );
}

/** L21-05: every node's /opt/cni/bin holds each binary, executable. */
export async function cniBinaries(cluster: Cluster, binaries: string[]): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(
    nodes.map(async (node) => ({ node: node.name, listing: await cniExecutables(cluster, nodeTarget(node.name)) })),
  );
  const missing = seen.flatMap(({ node, listing }) =>
    binaries.filter((binary) => !listing.value.includes(binary)).map((binary) => `${node}: missing ${binary}`),
  );
  return verdict(
    nodes.length > 0 && missing.length === 0,
    `${list(binaries)} executable in /opt/cni/bin on every node`,
    missing.length ? list(missing) : 'all there',
    seen.flatMap(({ listing }) => listing.evidence),
  );
}

/** L21-06: the CRDs exist (kubectl on the control-plane node, with its admin kubeconfig). */
export async function crdsExist(cluster: Cluster, names: string[]): Promise<Verdict> {
  const crds = await crdNames(cluster);
  const missing = names.filter((name) => !crds.value.includes(name));
  return verdict(missing.length === 0, `the CRDs ${list(names)}`, missing.length ? `missing ${list(missing)}` : 'present', crds.evidence);
}
