/**
 * What the embedded lab needs from this machine, checked before anything is created:
 * root (or CAP_NET_ADMIN), iproute2, ping and tcpdump. Missing pieces are named, with what
 * to do; as root with apt-get, the missing Debian packages may be installed on request.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../domain.ts';
import { execa } from 'execa';

export interface Requirement {
  what: string;
  ok: boolean;
  /** The Debian package that provides it, if any. */
  debianPackage?: string;
  remedy: string;
}

const TOOLS: { command: string; what: string; debianPackage: string }[] = [
  { command: 'ip', what: 'ip (iproute2)', debianPackage: 'iproute2' },
  { command: 'ping', what: 'ping (iputils)', debianPackage: 'iputils-ping' },
  { command: 'tcpdump', what: 'tcpdump', debianPackage: 'tcpdump' },
  { command: 'iptables', what: "iptables (kube-proxy's rules, fault injection)", debianPackage: 'iptables' },
  { command: 'fping', what: 'fping (the full-mesh probe)', debianPackage: 'fping' },
  { command: 'nc', what: 'nc (netcat-openbsd, the localhost probe)', debianPackage: 'netcat-openbsd' },
  { command: 'nsenter', what: 'nsenter and unshare (util-linux)', debianPackage: 'util-linux' },
  { command: 'dnsmasq', what: "dnsmasq (the nodes' upstream resolver)", debianPackage: 'dnsmasq-base' },
  { command: 'dig', what: 'dig (bind9-dnsutils, the DNS probe)', debianPackage: 'bind9-dnsutils' },
  { command: 'redis-server', what: 'redis-server (lesson 11)', debianPackage: 'redis-server' },
  { command: 'redis-cli', what: 'redis-cli (redis-tools, lesson 11)', debianPackage: 'redis-tools' },
  { command: 'nginx', what: "nginx (nginx-light, lesson 04's nginx pods)", debianPackage: 'nginx-light' },
  { command: 'conntrack', what: 'conntrack (conntrack-tools, lesson 04)', debianPackage: 'conntrack' },
  { command: 'iperf3', what: "iperf3 (lesson 12's servers and clients)", debianPackage: 'iperf3' },
  { command: 'getent', what: 'getent (libc-bin, name resolution in pods)', debianPackage: 'libc-bin' },
  {
    command: 'openssl',
    what: 'openssl (the API server stand-in of the containerlab topologies)',
    debianPackage: 'openssl',
  },
  { command: 'curl', what: 'curl (HTTPS to the API server, lesson 18)', debianPackage: 'curl' },
  { command: 'ipset', what: "ipset (Felix's natOutgoing sets)", debianPackage: 'ipset' },
  {
    command: 'bird',
    what: "bird and birdc (bird2, the nodes' BGP speaker in lessons 07, 08, 10, 15)",
    debianPackage: 'bird2',
  },
  {
    command: '/usr/lib/frr/bgpd',
    what: "FRR's zebra, bgpd, staticd and vtysh (frr, the router's BGP in lessons 07, 08, 10, 15)",
    debianPackage: 'frr',
  },
  {
    command: '/usr/lib/cni/macvlan',
    what: "the reference CNI plugins macvlan and static (containernetworking-plugins, Multus' net1 in lessons 21, 22)",
    debianPackage: 'containernetworking-plugins',
  },
  {
    command: 'wireguard-go',
    what: "wireguard-go (WireGuard in user space: each node's wireguard.cali in lesson 13)",
    debianPackage: 'wireguard-go',
  },
  {
    command: 'wg',
    what: "wg (wireguard-tools: Felix's keys and peers, wg show, lesson 13)",
    debianPackage: 'wireguard-tools',
  },
  {
    command: 'python3',
    what: "python3 (the lab's command helper, support/exec/spawner.py; lesson 13's backend-api runs its manifest's script)",
    debianPackage: 'python3',
  },
];

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

function effectiveCapabilities(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0';
  return BigInt(`0x${hex}`);
}

/**
 * Whether `command` is an executable file: as given when it names a path, else in a folder of
 * PATH, as the shell's `command -v` finds it. Looked up, not run: running the 26 tools' --version
 * cost every run some 0.7 s of CPU in 26 processes.
 */
export function hasCommand(command: string, path = process.env.PATH ?? ''): boolean {
  const candidates = command.includes('/')
    ? [command]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export function checkRequirements(path = process.env.PATH ?? ''): Requirement[] {
  const caps = effectiveCapabilities();
  const privileged = (caps >> CAP_NET_ADMIN) & 1n && (caps >> CAP_SYS_ADMIN) & 1n;
  const requirements: Requirement[] = [
    {
      what: 'root, or CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces)',
      ok: Boolean(privileged),
      remedy: 'run as root: sudo -E npm run …',
    },
  ];
  TOOLS.forEach((tool) =>
    requirements.push({
      what: tool.what,
      ok: hasCommand(tool.command, path),
      debianPackage: tool.debianPackage,
      remedy: `install it: apt-get install -y ${tool.debianPackage}`,
    }),
  );
  return requirements;
}

export function describeMissing(requirements: Requirement[]): string {
  return requirements
    .filter((requirement) => !requirement.ok)
    .map((requirement) => `  - missing: ${requirement.what}\n    → ${requirement.remedy}`)
    .join('\n');
}

/** Installs the missing Debian packages with apt-get, when running as root on a machine that has it. */
export async function installMissing(requirements: Requirement[], log: (line: string) => void): Promise<boolean> {
  const packages = requirements.filter((requirement) => !requirement.ok && requirement.debianPackage).map((r) => r.debianPackage as string);
  if (packages.length === 0 || process.getuid?.() !== 0 || !hasCommand('apt-get')) return false;
  log(`preflight: installing missing Debian packages: ${packages.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await execa('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  const install = await execa('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: 'inherit', reject: false });
  return install.exitCode === 0;
}

/** Checks the machine; installs what apt-get can (as root), or throws an EnvironmentError naming what is missing. */
export async function ensurePreflight(log: (line: string) => void): Promise<void> {
  let requirements = checkRequirements();
  if (requirements.every((requirement) => requirement.ok)) return;
  if (await installMissing(requirements, log)) requirements = checkRequirements();
  const missing = describeMissing(requirements);
  if (missing) throw new EnvironmentError(`the embedded lab cannot run on this machine:\n${missing}`);
}
