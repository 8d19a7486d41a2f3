/**
 * Multus' part in the lab: a pod that names NetworkAttachmentDefinitions in
 * `k8s.v1.cni.cncf.io/networks` gets one more interface per name, net1, net2, … Multus executes
 * the plugin the NAD names; so does the lab: Debian's reference CNI plugins
 * (containernetworking-plugins, /usr/lib/cni) run in the pod's node with the NAD's own
 * configuration on stdin, CNI_COMMAND=ADD or DEL, CNI_NETNS the pod's namespace, CNI_IFNAME netN.
 *
 * Only the IPAM differs: the course's NADs name Whereabouts, which the machine does not have.
 * The lab allocates as Whereabouts does (whereabouts.ts: lowest free address of the range,
 * cluster-wide) and hands the plugin that address through the reference `static` IPAM plugin,
 * with the NAD's gateway and no route, as Whereabouts' result carries none unless the NAD lists
 * some. host-local would not do: it keeps its allocations on each node's disk (two nodes hand out
 * the same first address) and continues after the last address it gave rather than the lowest free.
 */
import { run } from '../../exec/run.ts';
import type { ExecResult } from '../../domain.ts';
import { execIn } from '../kernel.ts';
import { findNode, type LabPod, type LabState, type SecondaryNetwork } from '../model.ts';
import { CONTAINER_ID_ANNOTATION } from '../../net/calico.ts';
import { allocate } from './whereabouts.ts';
import { requestedNetworks, type NadSpec } from './nad.ts';
import { MULTUS_BEHAVIOURS } from './behaviours.ts';

/** Where Debian installs the reference plugins (containernetworking-plugins). */
export const CNI_PLUGIN_DIR = '/usr/lib/cni';

export function nadOf(state: LabState, namespace: string, name: string): NadSpec {
  const nad = (state.spec.nads ?? []).find((candidate) => candidate.namespace === namespace && candidate.name === name);
  if (!nad) throw new Error(`network-attachment-definitions.k8s.cni.cncf.io "${name}" not found in namespace ${namespace}`);
  return nad;
}

/** The addresses of a NAD's range held by pods: on every node (Whereabouts), or on one (a node-local IPAM, a fault). */
function heldIn(state: LabState, network: string, node: string | undefined): string[] {
  return state.pods
    .filter((pod) => node === undefined || pod.node === node)
    .flatMap((pod) => (pod.secondary ?? []).filter((each) => each.network === network).map((each) => each.cidr.split('/')[0] as string));
}

/** Allocates each pod's secondary addresses, in pod order, for the pods that have none yet. */
export function allocateSecondary(state: LabState, pods: LabPod[]): void {
  const behaviour = MULTUS_BEHAVIOURS.from(state);
  for (const pod of pods) {
    if (pod.hostNetwork || pod.secondary) continue;
    const names = requestedNetworks(pod.annotations);
    if (names.length === 0) continue;
    pod.secondary = [];
    names.forEach((name, index) => {
      const nad = nadOf(state, pod.namespace, name);
      const cidr = allocate(behaviour.ipam(nad, heldIn(state, name, behaviour.nodeLocal ? pod.node : undefined)));
      (pod.secondary as SecondaryNetwork[]).push({ network: name, ifname: `net${index + 1}`, cidr });
    });
  }
}

/** The plugin's stdin: the NAD's configuration with its IPAM replaced by the static result. */
export function pluginConfig(nad: NadSpec, secondary: SecondaryNetwork, overrides: { master?: string } = {}): string {
  const config = JSON.parse(nad.config) as Record<string, unknown>;
  const address: Record<string, string> = { address: secondary.cidr };
  if (nad.ipam.gateway) address.gateway = nad.ipam.gateway;
  return JSON.stringify({ ...config, ...overrides, ipam: { type: 'static', addresses: [address] } });
}

function cniArgv(state: LabState, pod: LabPod, secondary: SecondaryNetwork, command: 'ADD' | 'DEL', type: string): string[] {
  return [
    'env',
    `CNI_COMMAND=${command}`,
    `CNI_CONTAINERID=${pod.annotations[CONTAINER_ID_ANNOTATION] ?? pod.name}`,
    `CNI_NETNS=/run/netns/${pod.netns}`,
    `CNI_IFNAME=${secondary.ifname}`,
    `CNI_PATH=${CNI_PLUGIN_DIR}`,
    `${CNI_PLUGIN_DIR}/${type}`,
  ];
}

/** Runs the NAD's plugin in the pod's node; a failure is the plugin's own error, as Multus reports it. */
async function invoke(state: LabState, pod: LabPod, secondary: SecondaryNetwork, command: 'ADD' | 'DEL'): Promise<ExecResult> {
  const nad = nadOf(state, pod.namespace, secondary.network);
  const node = findNode(state, pod.node);
  const behaviour = MULTUS_BEHAVIOURS.from(state);
  const argv = ['ip', 'netns', 'exec', node.netns, ...cniArgv(state, pod, secondary, command, nad.type)];
  const result = await run(argv, { where: node.netns, input: pluginConfig(nad, secondary, behaviour.overrides(nad)) });
  if (result.exitCode !== 0)
    throw new Error(
      `plugin type="multus" name="multus-cni-network" failed (${command.toLowerCase()}): [${pod.namespace}/${pod.name}/${nad.name}]: error adding container to network "${nad.name}": ${result.stdout.trim() || result.stderr.trim()}`,
    );
  return result;
}

/** CNI ADD of every secondary network of the pods (allocated first); then what a fault adds inside the pod. */
export async function attachSecondary(state: LabState, pods: LabPod[]): Promise<void> {
  allocateSecondary(state, pods);
  const behaviour = MULTUS_BEHAVIOURS.from(state);
  await Promise.all(
    pods.flatMap((pod) =>
      (pod.secondary ?? []).map(async (secondary) => {
        await invoke(state, pod, secondary, 'ADD');
        const extra = behaviour.inPod(nadOf(state, pod.namespace, secondary.network), secondary);
        if (extra.length) await execIn(pod.netns, ['sh', '-c', extra.join(' && ')]);
      }),
    ),
  );
}

/** CNI DEL of a pod's secondary networks (Whereabouts releases its addresses with the pod). */
export async function detachSecondary(state: LabState, pod: LabPod): Promise<void> {
  await Promise.all((pod.secondary ?? []).map((secondary) => invoke(state, pod, secondary, 'DEL')));
}
