/** A node's configuration as a learner would read it: proxy ARP, NAT rules, the CNI directories. */
import type { ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { runJsonProbe, runProbe } from './commands.ts';
import type { Observation } from './observation.ts';
import { parseIptablesRules, type IptablesRule } from '../parse/iptables.ts';
import { parseJsonObject } from '../parse/json.ts';
import { parseCniConfigFiles, parseCniPluginTypes, parseExecutables, parseProxyArp } from '../parse/node-config.ts';

/** Interface → proxy ARP on, from `ip -4 netconf show` (one command, no shell loop over /proc). */
export async function proxyArp(cluster: Cluster, target: ExecTarget): Promise<Observation<Record<string, boolean>>> {
  return runJsonProbe(cluster, target, ['ip', '-4', '-j', 'netconf', 'show'], ['ip', '-4', 'netconf', 'show'], parseProxyArp);
}

/** The rules of the nat table's POSTROUTING chain: where SNAT or MASQUERADE would rewrite pod traffic. */
export async function natPostrouting(cluster: Cluster, target: ExecTarget): Promise<Observation<IptablesRule[]>> {
  return runProbe(cluster, target, ['iptables', '-t', 'nat', '-S', 'POSTROUTING'], (text) => parseIptablesRules(text).rules);
}

/** The CNI configurations in /etc/cni/net.d, first (the one the runtime uses) first. */
export async function cniConfigFiles(cluster: Cluster, target: ExecTarget): Promise<Observation<string[]>> {
  return runProbe(cluster, target, ['ls', '-1', '/etc/cni/net.d'], parseCniConfigFiles);
}

/** The plugin types a CNI configuration in /etc/cni/net.d names. */
export async function cniPluginTypes(cluster: Cluster, target: ExecTarget, file: string): Promise<Observation<string[]>> {
  return runProbe(cluster, target, ['cat', `/etc/cni/net.d/${file}`], parseCniPluginTypes);
}

/** The executables in /opt/cni/bin. */
export async function cniExecutables(cluster: Cluster, target: ExecTarget): Promise<Observation<string[]>> {
  return runProbe(cluster, target, ['ls', '-l', '/opt/cni/bin'], parseExecutables);
}

/** The rules of Felix's natOutgoing chain, cali-nat-outgoing (absent chain: the command fails). */
export async function natOutgoingChain(cluster: Cluster, target: ExecTarget): Promise<Observation<IptablesRule[]>> {
  return runProbe(cluster, target, ['iptables', '-t', 'nat', '-S', 'cali-nat-outgoing'], (text) => parseIptablesRules(text).rules);
}

/** Every entry of `ls -1 <dir>`, files and folders alike, as listed. */
export async function directoryEntries(cluster: Cluster, target: ExecTarget, dir: string): Promise<Observation<string[]>> {
  return runProbe(cluster, target, ['ls', '-1', dir], (text) => text.split('\n').filter(Boolean));
}

/** A CNI configuration in /etc/cni/net.d, as the JSON object it holds. */
export async function cniConfigJson(cluster: Cluster, target: ExecTarget, file: string): Promise<Observation<Record<string, unknown>>> {
  return runProbe(cluster, target, ['cat', `/etc/cni/net.d/${file}`], (text) => parseJsonObject(`/etc/cni/net.d/${file}`, text));
}
