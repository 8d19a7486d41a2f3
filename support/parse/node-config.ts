/**
 * Parsers for what a node's configuration shows: `ip -4 netconf show` (proxy ARP per
 * interface), `ls -1 /etc/cni/net.d`, `ls -l /opt/cni/bin`, a CNI
 * configuration's plugin types. Checked against iproute2 6.1.0 (`ip -4 netconf show`, text and
 * -j) and GNU coreutils 9.1's `ls`.
 */
import { CNI_CONFIG_EXTENSIONS } from '../net/calico.ts';
import { ParseError } from './errors.ts';
import { looksLikeJson, parseJsonArray } from './json.ts';

/**
 * Interface → proxy ARP on or off, from `ip -4 -j netconf show` or its text form. For IPv4,
 * netconf's `proxy_neigh` is the interface's proxy_arp setting.
 */
export function parseProxyArp(text: string): Record<string, boolean> {
  const parser = 'parseProxyArp';
  if (text.trim() === '') throw new ParseError(parser, 'empty output', text);
  const entries: Record<string, boolean> = {};
  if (looksLikeJson(text)) {
    for (const entry of parseJsonArray(parser, text)) {
      const name = entry.interface;
      if (typeof name !== 'string' || typeof entry.proxy_neigh !== 'boolean')
        throw new ParseError(parser, 'an entry without "interface" and a boolean "proxy_neigh"', JSON.stringify(entry));
      entries[name] = entry.proxy_neigh;
    }
    return entries;
  }
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const match = /^inet (\S+) .*\bproxy_neigh (on|off)\b/.exec(line.trim());
    if (!match) throw new ParseError(parser, 'expected "inet <interface> … proxy_neigh on|off"', line, index + 1);
    entries[match[1] as string] = match[2] === 'on';
  });
  return entries;
}

/** The CNI configurations of `ls -1 /etc/cni/net.d`, in the order the runtime reads them (the first wins). */
export function parseCniConfigFiles(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => CNI_CONFIG_EXTENSIONS.test(name))
    .sort();
}

/** The files of `ls -l <dir>` that their owner may execute (regular files and symlinks). */
export function parseExecutables(text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '' || /^total \d+/.test(line)) return [];
    // mode, links, owner, group, size, month, day, time or year, name (`name -> target` for a link)
    const fields = line.trim().split(/\s+/);
    const mode = fields[0] ?? '';
    if (fields.length < 9 || !/^[-dlbcps][-r][-w][-xsS]/.test(mode))
      throw new ParseError('parseExecutables', 'expected a line of ls -l', line, index + 1);
    const name = fields.slice(8).join(' ').split(' -> ')[0] as string;
    const executable = (mode[0] === '-' && /[xs]/.test(mode[3] ?? '')) || mode[0] === 'l';
    return executable ? [name] : [];
  });
}

interface CniConfig {
  type?: unknown;
  ipam?: { type?: unknown };
  plugins?: CniConfig[];
}

/** Every plugin type (and IPAM type) a CNI configuration or configuration list names: the binaries it needs. */
export function parseCniPluginTypes(text: string): string[] {
  let config: CniConfig;
  try {
    config = JSON.parse(text) as CniConfig;
  } catch (error) {
    throw new ParseError('parseCniPluginTypes', `not JSON: ${(error as Error).message}`, text);
  }
  const plugins = Array.isArray(config.plugins) ? config.plugins : [config];
  const types = plugins
    .flatMap((plugin) => [plugin.type, plugin.ipam?.type])
    .filter((type): type is string => typeof type === 'string' && type !== '');
  if (types.length === 0) throw new ParseError('parseCniPluginTypes', 'names no plugin type', text);
  return [...new Set(types)];
}
