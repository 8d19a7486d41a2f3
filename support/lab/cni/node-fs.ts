/**
 * A node's own files: what a Kind node has that the host does not, /etc/cni/net.d with
 * Calico's configuration and /opt/cni/bin with the plugins it names.
 *
 * The lab writes them into a folder of its own and lays that folder over /etc and /opt
 * (read-only overlays) in a private mount namespace per node, held open by one `sleep`
 * process started by the lab. Commands "on the node" enter that process's mount namespace
 * and the node's network namespace; the host's /etc and /opt are never touched.
 */
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { EnvironmentError } from '../../domain.ts';
import { join } from 'node:path';
import { labObjectPrefix } from '../naming.ts';
import type { LabNode, LabState } from '../model.ts';
import { stateDir } from '../state.ts';

export { CALICO_CNI_CONFIG as CNI_CONFIG_FILE } from '../../net/calico.ts';
import { CALICO_CNI_CONFIG as CNI_CONFIG_FILE } from '../../net/calico.ts';
import { logSays, startLabDaemon, whenReady } from '../daemon-ready.ts';
/** The binaries Calico's conflist names (type of each plugin, and the IPAM type), plus loopback which the runtime uses. */
const CNI_BINARIES = ['calico', 'calico-ipam', 'portmap', 'bandwidth', 'loopback'];

export function labFilesDir(labName: string): string {
  return join(stateDir(), `${labObjectPrefix(labName)}files`);
}

export function nodeLayerDir(labName: string, node: string): string {
  return join(labFilesDir(labName), 'nodes', node);
}

/** Calico's CNI configuration as the operator writes it on each node. */
export function calicoConflist(state: LabState, node: LabNode): string {
  return `${JSON.stringify(
    {
      name: 'k8s-pod-network',
      cniVersion: '0.3.1',
      plugins: [
        {
          type: 'calico',
          datastore_type: 'kubernetes',
          mtu: state.mtu,
          nodename: node.name,
          nodename_file_optional: false,
          log_level: 'Info',
          ipam: { type: 'calico-ipam', assign_ipv4: 'true', assign_ipv6: 'false' },
          container_settings: { allow_ip_forwarding: false },
          policy: { type: 'k8s' },
          kubernetes: { k8s_api_root: 'https://10.96.0.1:443', kubeconfig: '/etc/cni/net.d/calico-kubeconfig' },
        },
        { type: 'bandwidth', capabilities: { bandwidth: true } },
        { type: 'portmap', snat: true, capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Writes a node's layer: the CNI configuration directory and placeholder plugin binaries. */
export function writeNodeLayer(state: LabState, node: LabNode): void {
  const root = nodeLayerDir(state.name, node.name);
  const netd = join(root, 'etc', 'cni', 'net.d');
  const bin = join(root, 'opt', 'cni', 'bin');
  mkdirSync(netd, { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(netd, CNI_CONFIG_FILE), calicoConflist(state, node));
  for (const plugin of CNI_BINARIES) {
    const file = join(bin, plugin);
    writeFileSync(
      file,
      `#!/bin/sh\n# ${plugin}: a stand-in of the embedded lab, which wires pods itself.\necho '{"cniVersion":"0.3.1","msg":"${plugin} of the podnet-e2e lab"}'\n`,
    );
    chmodSync(file, 0o755);
  }
}

export function removeNodeLayer(labName: string, node: string): void {
  rmSync(nodeLayerDir(labName, node), { recursive: true, force: true });
}

export function removeLabFiles(labName: string): void {
  rmSync(labFilesDir(labName), { recursive: true, force: true });
}

/**
 * Starts the process that holds the node's mount namespace (overlays of the node's layer on
 * /etc and /opt) inside the node's network namespace. Resolves with its PID once mounted.
 */
export async function startNodeHolder(labName: string, node: LabNode): Promise<number> {
  const layer = nodeLayerDir(labName, node.name);
  // /run/wireguard: the node's own, so that its wireguard-go's UAPI socket (felix/wireguard.ts) is its alone.
  const script = `mount -t overlay ${labObjectPrefix(labName)}etc -o lowerdir=${layer}/etc:/etc /etc && mount -t overlay ${labObjectPrefix(labName)}opt -o lowerdir=${layer}/opt:/opt /opt && mkdir -p /run/wireguard && mount -t tmpfs ${labObjectPrefix(labName)}wg /run/wireguard && echo mounted && exec sleep infinity`;
  const logFile = `${layer}.holder.log`;
  writeFileSync(logFile, '');
  const pid = await startLabDaemon(
    ['ip', 'netns', 'exec', node.netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script],
    logFile,
  );
  return whenReady(pid, {
    ready: () => logSays(logFile, /^mounted$/m),
    // Two mounts take milliseconds; on a machine busy with other labs, a start alone can take seconds.
    timeoutMs: 30_000,
    what: `the mount namespace of node ${node.name}`,
    logFile,
  });
}

/**
 * argv that runs a command on a node: its network namespace and its own /etc/cni and /opt/cni.
 * The holder's PID comes from the state file; it is trusted only while that process still sits
 * in the node's network namespace (a PID can be reused once its process is gone).
 */
export function onNode(node: Pick<LabNode, 'name' | 'netns' | 'holderPid'>, argv: string[]): string[] {
  if (node.holderPid === undefined || !holdsNetns(node.holderPid, node.netns)) {
    throw new EnvironmentError(
      `node ${node.name} of the embedded lab has lost the process that holds its filesystem (PID ${node.holderPid ?? 'none'})`,
      'rebuild the lab: npm run lab:down, then npm run lab:up',
    );
  }
  return ['nsenter', `--net=/run/netns/${node.netns}`, `--mount=/proc/${node.holderPid}/ns/mnt`, '--', ...argv];
}

function holdsNetns(pid: number, netns: string): boolean {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino === statSync(`/run/netns/${netns}`).ino;
  } catch {
    return false;
  }
}
