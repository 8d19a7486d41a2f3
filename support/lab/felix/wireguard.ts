/**
 * Felix's WireGuard part (Calico v3.30.0, felix/wireguard/wireguard.go), on a kernel without
 * WireGuard: wireguard-go (user space, over TUN) stands for the kernel device, one per node,
 * each started in its node's own mount namespace (node-fs.ts: `unshare --mount`, a tmpfs on
 * /run/wireguard), so that every node's UAPI socket, and so its device, has the course's name.
 *
 * Turning `wireguardEnabled` on in the FelixConfiguration gives every node:
 * - a key pair (`wg genkey`), the public half published as the Calico Node's
 *   status.wireguardPublicKey (Felix writes it once the device is up);
 * - an interface address from a block affine to the node, allocated by calico-node's tunnel
 *   address allocator (handle wireguard-tunnel-addr-<node>) and recorded as the Node's
 *   spec.wireguard.interfaceIPv4Address;
 * - `wireguard.cali` listening on WireguardListeningPort (default 51820), its firewall mark
 *   the bit Felix allocates after accept, pass, drop and the two scratch bits from
 *   IptablesMarkMask 0xffff0000 (int_dataplane.go: 0x200000), MTU the host MTU less
 *   WireGuard's 60 bytes of IPv4 overhead (WireguardMTU 0 = auto);
 * - one peer per other node: its public key, endpoint <its address>:51820, allowed IPs its
 *   blocks and its tunnel addresses as /32s (wireguard.go's node CIDRs; no node address, since
 *   wireguardHostEncryptionEnabled is off);
 * - routing table 1 (the first index of RouteTableRanges) holding every allowed IP of every
 *   peer `dev wireguard.cali scope link`, and the rule
 *   `99: not from all fwmark 0x200000/0x200000 lookup 1` (WireguardRoutingRulePriority 99): what
 *   wireguard-go sends carries the mark and skips the table.
 * Turning it off removes all of it: the device (wireguard-go ended by PID), the rule, the
 * table, the interface addresses and the published keys.
 */
import { startLabDaemon } from '../daemon-ready.ts';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../../exec/run.ts';
import { Ipam, isHostBlock } from '../ipam/ipam.ts';
import { runBatch } from '../kernel.ts';
import type { LabNode, LabState, NodeWireguard } from '../model.ts';
import { labFilesDir, onNode } from '../cni/node-fs.ts';
import { hostMtu } from '../spec.ts';
import { WIREGUARD_DEVICE, WIREGUARD_PORT } from '../../net/calico.ts';

export const WIREGUARD_FWMARK = 0x200000;
export const WIREGUARD_TABLE = 1;
export const WIREGUARD_RULE_PRIORITY = 99;
/** IPv4 (20) + UDP (8) + WireGuard's header and tag (32): Calico's WireGuard overhead for IPv4. */
export const WIREGUARD_OVERHEAD = 60;
export const WIREGUARD_HANDLE_PREFIX = 'wireguard-tunnel-addr-';
const WIREGUARD_HOLDER_PREFIX = 'wireguard-tunnel-addr:';
const READY_TIMEOUT_MS = 10_000;

export interface WireguardPeer {
  node: string;
  publicKey: string;
  endpoint: string;
  allowedIps: string[];
}

/** Everything one node's device is configured with: a pure function of the model (faults bend it). */
export interface WireguardConfig {
  mtu: number;
  address: string;
  fwmark: number;
  peers: WireguardPeer[];
  /** The routing rule, absent when a fault left it out. */
  rule: boolean;
  tableRoutes: string[];
}

/** Faults that bend what Felix programs (faults/wireguard.ts applies them by name). */
export const WIREGUARD_BEHAVIOUR_FAULTS = {
  staleKey: 'wireguard-stale-peer-key',
  noRule: 'wireguard-fwmark-rule-missing',
  wrongMtu: 'wireguard-mtu-not-set',
  missingBlock: 'wireguard-allowed-ips-missing-block',
  notTornDown: 'wireguard-not-torn-down',
  noAddress: 'wireguard-interface-no-address',
} as const;

/** wireguard-go's own MTU for a new device, kept when Felix does not set one. */
const WIREGUARD_GO_DEFAULT_MTU = 1420;

export function wireguardEnabled(state: Pick<LabState, 'felixConfiguration'>): boolean {
  return state.felixConfiguration?.wireguardEnabled === true;
}

function nodeAddress(node: LabNode): string {
  return node.calicoAddress.cidr.split('/')[0] as string;
}

/** A peer's allowed IPs: its host blocks, then its tunnel addresses as /32s. */
export function allowedIpsOf(state: LabState, node: LabNode): string[] {
  const blocks = state.ipam.blocks.filter((block) => block.node === node.name && isHostBlock(block)).map((block) => block.cidr);
  const tunnels = [node.tunnelIP, node.wireguard?.interfaceIP].filter((ip): ip is string => ip !== undefined).map((ip) => `${ip}/32`);
  return [...blocks, ...tunnels];
}

export function wireguardConfigOf(state: LabState, node: LabNode): WireguardConfig {
  const own = node.wireguard;
  if (!own) throw new Error(`node ${node.name} has no WireGuard keys`);
  const has = (fault: string) => state.faults.includes(fault);
  const others = state.nodes.filter((other) => other.name !== node.name && other.wireguard);
  // The lesson's pair: the client's worker and the backend's (wireguard-worker, wireguard-worker2).
  const [clientWorker, backendWorker] = state.nodes.filter((candidate) => candidate.role === 'worker');
  const peers = others.map((other) => {
    let allowedIps = allowedIpsOf(state, other);
    if (has(WIREGUARD_BEHAVIOUR_FAULTS.missingBlock) && other === backendWorker)
      allowedIps = allowedIps.filter((cidr) => cidr.endsWith('/32'));
    const stale = has(WIREGUARD_BEHAVIOUR_FAULTS.staleKey) && node === clientWorker && other === backendWorker;
    return {
      node: other.name,
      publicKey: stale ? STALE_KEY : (other.wireguard as NodeWireguard).publicKey,
      endpoint: `${nodeAddress(other)}:${WIREGUARD_PORT}`,
      allowedIps,
    };
  });
  return {
    mtu: has(WIREGUARD_BEHAVIOUR_FAULTS.wrongMtu) ? WIREGUARD_GO_DEFAULT_MTU : hostMtu(state.spec) - WIREGUARD_OVERHEAD,
    address: own.interfaceIP,
    fwmark: WIREGUARD_FWMARK,
    peers,
    rule: !has(WIREGUARD_BEHAVIOUR_FAULTS.noRule),
    tableRoutes: peers.flatMap((peer) => peer.allowedIps),
  };
}

/** A key that was a node's once (a fault hands it out as the node's current one). */
const STALE_KEY = 'kL1i4yhpmHCOb2f6pBOzhFXbpG4HCgThGpoz0NQGlEg=';

/** `wg set` as Felix's netlink calls amount to: the key, the port, the mark, every peer. */
export function wgSetArgs(config: WireguardConfig, keyFile: string): string[] {
  return [
    'wg',
    'set',
    WIREGUARD_DEVICE,
    'private-key',
    keyFile,
    'listen-port',
    String(WIREGUARD_PORT),
    'fwmark',
    `0x${config.fwmark.toString(16)}`,
    ...config.peers.flatMap((peer) => ['peer', peer.publicKey, 'endpoint', peer.endpoint, 'allowed-ips', peer.allowedIps.join(',')]),
  ];
}

/** The device's link, address, rule and table, as `ip -batch` lines. */
export function wireguardIpLines(config: WireguardConfig, withAddress = true): string[] {
  const mark = `0x${config.fwmark.toString(16)}`;
  return [
    // A kernel WireGuard device has no IPv6 link-local address and no MULTICAST flag; the TUN gets both unless told.
    `link set ${WIREGUARD_DEVICE} addrgenmode none`,
    `link set ${WIREGUARD_DEVICE} multicast off mtu ${config.mtu} up`,
    ...(withAddress ? [`address add ${config.address}/32 dev ${WIREGUARD_DEVICE}`] : []),
    ...config.tableRoutes.map((cidr) => `route replace ${cidr} dev ${WIREGUARD_DEVICE} scope link table ${WIREGUARD_TABLE}`),
    ...(config.rule ? [`rule add priority ${WIREGUARD_RULE_PRIORITY} not fwmark ${mark}/${mark} table ${WIREGUARD_TABLE}`] : []),
  ];
}

/** `count` key pairs from `wg genkey` and `wg pubkey`, in one shell: a process is dear on a busy machine. */
async function genKeys(count: number): Promise<{ privateKey: string; publicKey: string }[]> {
  if (count === 0) return [];
  const script = 'i=0; while [ "$i" -lt "$1" ]; do k=$(wg genkey); echo "$k $(echo "$k" | wg pubkey)"; i=$((i+1)); done';
  const said = await runChecked(['sh', '-c', script, 'sh', String(count)], { where: 'the host' });
  const pairs = said.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [privateKey, publicKey] = line.split(' ');
      if (!privateKey || !publicKey) throw new Error(`wg genkey/pubkey said "${line}"`);
      return { privateKey, publicKey };
    });
  if (pairs.length !== count) throw new Error(`wg genkey/pubkey gave ${pairs.length} key pairs, not ${count}`);
  return pairs;
}

/** Keys and interface addresses for the nodes that have none yet (the model only). */
async function allocate(state: LabState): Promise<void> {
  const ipam = Ipam.fromState(state.ipam);
  const keys = await genKeys(state.nodes.filter((node) => !node.wireguard).length);
  state.nodes.forEach((node) => {
    if (node.wireguard) return;
    const pair = keys.shift() as { privateKey: string; publicKey: string };
    const interfaceIP = ipam.assign(node.name, `${WIREGUARD_HOLDER_PREFIX}${node.name}`, {
      use: 'Tunnel',
      attributes: { handle_id: `${WIREGUARD_HANDLE_PREFIX}${node.name}`, node: node.name, type: 'wireguardTunnelAddress' },
    });
    node.wireguard = { ...pair, interfaceIP };
  });
  state.ipam = ipam.toState();
}

/** The node's UAPI socket as the host sees it, through the node's mount namespace. */
function socketOf(node: LabNode): string {
  return `/proc/${node.holderPid}/root/run/wireguard/${WIREGUARD_DEVICE}.sock`;
}

async function startDevice(state: LabState, node: LabNode): Promise<number> {
  const dir = join(labFilesDir(state.name), 'wireguard');
  mkdirSync(dir, { recursive: true });
  // Its log goes to a file: a pipe closed after start-up would end it on its next line.
  const pid = await startLabDaemon(onNode(node, ['wireguard-go', '-f', WIREGUARD_DEVICE]), join(dir, `${node.name}.log`));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(socketOf(node))) {
    if (Date.now() > deadline)
      throw new Error(`wireguard-go on node ${node.name} opened no UAPI socket within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return pid;
}

async function configure(state: LabState, node: LabNode): Promise<void> {
  const config = wireguardConfigOf(state, node);
  const own = node.wireguard as NodeWireguard;
  // The private key lives in the node's own /run/wireguard (a tmpfs), as a file only root reads.
  writeFileSync(`/proc/${node.holderPid}/root/run/wireguard/${WIREGUARD_DEVICE}.key`, `${own.privateKey}\n`, { mode: 0o600 });
  // One process per node: `wg set`, then the ip batch on its stdin.
  const [wg, ...wgArgs] = wgSetArgs(config, `/run/wireguard/${WIREGUARD_DEVICE}.key`);
  const lines = wireguardIpLines(config, !state.faults.includes(WIREGUARD_BEHAVIOUR_FAULTS.noAddress));
  // Felix owns its rule's priority: a rule found there (one left behind) is replaced.
  const script = `${wg} "$@" && { ip rule del priority ${WIREGUARD_RULE_PRIORITY} 2>/dev/null; ip -batch -; }`;
  await runChecked(onNode(node, ['sh', '-c', script, 'sh', ...wgArgs]), {
    where: `node ${node.name}`,
    input: `${lines.join('\n')}\n`,
  });
}

/** Felix with wireguardEnabled: every node's device, peers, rule and table. */
export async function startWireguard(state: LabState): Promise<void> {
  await allocate(state);
  await Promise.all(
    state.nodes.map(async (node) => {
      (node.wireguard as NodeWireguard).pid = await startDevice(state, node);
    }),
  );
  await Promise.all(state.nodes.map((node) => configure(state, node)));
}

/** Felix with wireguardEnabled false: the device, rule and table go; calico-node releases the addresses and keys. */
export async function stopWireguard(state: LabState): Promise<void> {
  const keep = state.faults.includes(WIREGUARD_BEHAVIOUR_FAULTS.notTornDown);
  const mark = `0x${WIREGUARD_FWMARK.toString(16)}`;
  await Promise.all(
    state.nodes.map(async (node) => {
      const pid = node.wireguard?.pid;
      if (pid === undefined) return;
      // wireguard-go takes over a second to notice its link deleted or a TERM; it keeps nothing
      // worth a graceful end, and the device goes with its last file descriptor.
      await killAndWait(pid);
      rmSync(socketOf(node), { force: true });
      if (!keep)
        await runBatch({
          netns: node.netns,
          lines: [`rule delete priority ${WIREGUARD_RULE_PRIORITY} not fwmark ${mark}/${mark} table ${WIREGUARD_TABLE}`],
        }).catch(() => undefined);
      // The table's routes went with the device.
    }),
  );
  const ipam = Ipam.fromState(state.ipam);
  for (const node of state.nodes) {
    if (node.wireguard) ipam.release(node.wireguard.interfaceIP);
    delete node.wireguard;
  }
  state.ipam = ipam.toState();
}

/** Applies the FelixConfiguration's WireGuard setting to the nodes, if it changed. */
export async function syncWireguard(state: LabState): Promise<void> {
  const running = state.nodes.some((node) => node.wireguard?.pid !== undefined);
  if (wireguardEnabled(state) && !running) await startWireguard(state);
  else if (!wireguardEnabled(state) && running) await stopWireguard(state);
}

/** Ends one wireguard-go the lab started, by its PID, and waits until it is gone. */
async function killAndWait(pid: number): Promise<void> {
  // A zombie counts as gone: its parent may be a process that has since ended (then PID 1 reaps it, in its own time).
  const alive = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + 5_000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}
