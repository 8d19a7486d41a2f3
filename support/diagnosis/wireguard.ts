/**
 * The diagnosis of a failed lesson-13 claim: on every node `wg show wireguard.cali`, `ip rule`,
 * the WireGuard routing table and the main routes, with the likely causes read from them (a
 * missing device, keys that differ from what the Calico Nodes publish, no mark rule, an MTU
 * that is not eth0's less 60, a peer whose allowed IPs lack its node's blocks).
 */
import type { BlockAffinity, ExecResult, NodeInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { parseIpRules, type IpRule } from '../parse/ip-rule.ts';
import { parseWgShow, type WgInterface } from '../parse/wg.ts';
import { nodeTarget } from '../subjects.ts';

export const WIREGUARD_CLAIMS = /^L13-/;

export interface WireguardView {
  node: NodeInfo;
  wg: WgInterface | undefined;
  rules: IpRule[];
  /** `ip route show table <T>` of the mark rule's table, as printed. */
  table: string;
}

const OVERHEAD = 60;

/** The likely causes, from what was gathered: a pure function. */
export function wireguardCauses(
  views: WireguardView[],
  affinities: BlockAffinity[],
  mtus: Map<string, { device?: number; eth0?: number }>,
): string[] {
  const causes: string[] = [];
  const nodes = views.map((view) => view.node);
  for (const view of views) {
    const name = view.node.name;
    if (!view.wg) {
      causes.push(`node ${name} has no wireguard.cali: is wireguardEnabled true in FelixConfiguration default?`);
      continue;
    }
    if (view.node.calico?.wireguardPublicKey !== view.wg.publicKey)
      causes.push(
        `node ${name}'s key ${view.wg.publicKey} is not the one its Calico Node publishes (${view.node.calico?.wireguardPublicKey ?? 'none'})`,
      );
    for (const other of nodes.filter((candidate) => candidate.name !== name)) {
      const peer = view.wg.peers.find((candidate) => candidate.publicKey === other.calico?.wireguardPublicKey);
      if (!peer) {
        causes.push(`node ${name} has no peer with ${other.name}'s published key: a stale key stops every handshake`);
        continue;
      }
      const blocks = affinities.filter((affinity) => affinity.node === other.name).map((affinity) => affinity.cidr);
      const missing = blocks.filter((block) => !peer.allowedIps.includes(block));
      if (missing.length)
        causes.push(`node ${name}'s peer ${other.name} does not allow ${missing.join(', ')}: traffic to it is dropped or leaves in clear`);
    }
    const mark = view.wg.fwmark === undefined ? undefined : `0x${view.wg.fwmark.toString(16)}`;
    const rule = view.rules.find((candidate) => candidate.fwmark !== undefined && candidate.not);
    if (!rule)
      causes.push(
        `node ${name} has no "not fwmark ${mark ?? '<M>'}/… lookup <T>" rule: table <T> is never read, pod traffic leaves in clear`,
      );
    else if (mark && rule.fwmark !== `${mark}/${mark}`) causes.push(`node ${name}'s rule matches ${rule.fwmark}, wg marks with ${mark}`);
    const mtu = mtus.get(name);
    if (mtu?.device !== undefined && mtu.eth0 !== undefined && mtu.device !== mtu.eth0 - OVERHEAD)
      causes.push(`node ${name}'s wireguard.cali has MTU ${mtu.device}, not eth0's ${mtu.eth0} less ${OVERHEAD}`);
  }
  return causes;
}

export async function diagnoseWireguard(cluster: Cluster): Promise<{ text: string; evidence: ExecResult[] }> {
  const evidence: ExecResult[] = [];
  const [nodes, affinities] = await Promise.all([cluster.nodes(), cluster.blockAffinities()]);
  const mtus = new Map<string, { device?: number; eth0?: number }>();
  const views: WireguardView[] = [];
  for (const node of nodes) {
    const run = async (argv: string[]) => {
      const result = await cluster.exec(nodeTarget(node.name), argv, { timeoutMs: 10_000 });
      evidence.push(result);
      return result;
    };
    const wg = await run(['wg', 'show', 'wireguard.cali']);
    const rules = await run(['ip', 'rule']);
    const parsedRules = rules.exitCode === 0 ? safe(() => parseIpRules(rules.stdout), []) : [];
    const markRule = parsedRules.find((rule) => rule.fwmark !== undefined);
    const table = markRule ? await run(['ip', 'route', 'show', 'table', markRule.table]) : undefined;
    await run(['ip', 'route']);
    const links = await run(['ip', '-o', 'link']);
    const mtuOf = (dev: string) => {
      const match = new RegExp(`: ${dev.replace('.', '\\.')}(@\\S+)?: .* mtu (\\d+)`).exec(links.stdout);
      return match ? Number(match[2]) : undefined;
    };
    mtus.set(node.name, { device: mtuOf('wireguard.cali'), eth0: mtuOf('eth0') });
    views.push({
      node,
      wg: wg.exitCode === 0 ? safe(() => parseWgShow(wg.stdout)[0], undefined) : undefined,
      rules: parsedRules,
      table: table?.stdout ?? '',
    });
  }
  const causes = wireguardCauses(views, affinities, mtus);
  const text = [
    'RUNBOOK: WireGuard between the nodes (lesson 13)',
    "looked at on every node (the outputs are attached): wg show wireguard.cali, ip rule, the mark rule's table, ip route, ip -o link",
    causes.length ? 'likely cause:' : 'the evidence does not point to one cause; read the attached outputs',
    ...causes.map((cause) => `  → ${cause}`),
  ].join('\n');
  return { text, evidence };
}

function safe<T>(parse: () => T, fallback: T): T {
  try {
    return parse();
  } catch {
    return fallback;
  }
}
