/**
 * `ip netns exec <ns> ip …` costs two processes, a new mount namespace and remounts of /sys
 * and of /etc/netns/<ns>'s files: on a machine holding a hundred namespaces (four labs), about
 * 8 ms of CPU per command against 6 ms for the command itself, and the lab runs some three
 * hundred such commands per course run. A program that reads only its network namespace
 * (netlink, netfilter, /proc/sys/net) sees the same from a thread of the command helper that
 * has joined the namespace (spawner.py), so those go the short way; everything that reads files
 * (a pod's resolv.conf, a node's /etc/cni) or names hosts keeps the full command.
 */

/**
 * Programs whose output depends on the network namespace alone: they talk netlink or
 * netfilter's sockets and read /proc/sys/net or /proc/net (both per network namespace), never
 * a file that `ip netns exec` or a node's mount namespace lays over /etc, /opt or /sys, and
 * they resolve no host names. ping is not here: it may be given a name.
 */
const NETNS_ONLY_PROGRAMS = new Set([
  'ip',
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
  'ipset',
  'conntrack',
  'sysctl',
  'tc',
  'bridge',
  'ss',
]);

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NSENTER_NET = /^--net=\/run\/netns\/(.+)$/;

export interface NetnsShortcut {
  netns: string;
  /** The same command without the namespace's wrapper. */
  inNetns: string[];
}

/**
 * The short way for `argv`, when it is `ip netns exec <ns> <program> …` or a node's
 * `nsenter --net=/run/netns/<ns> [--mount=…] -- <program> …` with a program of the list above;
 * undefined otherwise (the command runs as given).
 */
export function netnsShortcut(argv: readonly string[]): NetnsShortcut | undefined {
  let netns: string | undefined;
  let rest: readonly string[] = [];
  if (argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'exec') {
    netns = argv[3];
    rest = argv.slice(4);
  } else if (argv[0] === 'nsenter') {
    const separator = argv.indexOf('--');
    if (separator < 0) return undefined;
    const options = argv.slice(1, separator);
    // Only the network and mount namespaces: any other option (a PID, user or UTS namespace) changes what the program sees.
    if (!options.every((option) => NSENTER_NET.test(option) || option.startsWith('--mount='))) return undefined;
    const net = options.map((option) => NSENTER_NET.exec(option)?.[1]).filter((name) => name !== undefined);
    if (net.length !== 1) return undefined;
    netns = net[0];
    rest = argv.slice(separator + 1);
  }
  const program = rest[0];
  if (netns === undefined || !NETNS_NAME.test(netns) || program === undefined || !NETNS_ONLY_PROGRAMS.has(program)) return undefined;
  return { netns, inNetns: [...rest] };
}
