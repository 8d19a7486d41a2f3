/**
 * The programs each image the suite meets on a real cluster has on its PATH, and nothing else:
 * what the cross-target stand-in lets a command run in a node, a router or a pod (a command
 * whose program the image lacks is refused, naming the image). Each inventory is taken from the
 * image's own build file (named above it); a package's programs are those its Debian or Alpine
 * package ships in a bin directory, limited to what a probe could plausibly call.
 *
 * Only argv[0] is checked: a program a shell script (`sh -c '…'`) calls inside is not.
 */
import { KIND_RELEASES } from '../../support/provision/versions.ts';
import { ALPINE_BUSYBOX_APPLETS, MULTITOOL_PACKAGE_PROGRAMS } from './multitool-inventory.ts';

/** Debian's essential set, in every Debian (slim) image: coreutils, dash, bash, grep, sed, mawk, findutils, hostname, tar, gzip, libc-bin, debianutils, sysvinit-utils. */
const DEBIAN_ESSENTIAL = [
  ...'cat echo printf true false test [ sleep timeout ls head tail cut tr wc sort uniq env id date mkdir rm rmdir cp mv ln touch chmod chown readlink stat seq tee base64 md5sum sha256sum basename dirname nproc uname sync mktemp yes nohup stty'.split(
    ' ',
  ),
  ...'sh dash bash grep egrep fgrep sed awk mawk find xargs hostname tar gzip gunzip zcat getent ldd which run-parts pidof'.split(' '),
];

/** Debian packages → the programs they ship (bookworm), for the node and nginx images. */
const DEBIAN_PACKAGES: Record<string, string[]> = {
  systemd: ['systemctl', 'journalctl', 'loginctl', 'busctl', 'hostnamectl', 'systemd-run', 'systemd-cgls', 'systemd-detect-virt'],
  conntrack: ['conntrack'],
  iptables: [
    'iptables',
    'iptables-save',
    'iptables-restore',
    'ip6tables',
    'ip6tables-save',
    'ip6tables-restore',
    'iptables-legacy',
    'iptables-nft',
    'iptables-legacy-save',
    'iptables-nft-save',
    'xtables-legacy-multi',
    'xtables-nft-multi',
  ],
  nftables: ['nft'],
  iproute2: [
    'ip',
    'ss',
    'tc',
    'bridge',
    'rtmon',
    'devlink',
    'rdma',
    'nstat',
    'lnstat',
    'ctstat',
    'rtstat',
    'routel',
    'genl',
    'dcb',
    'tipc',
  ],
  ethtool: ['ethtool'],
  'util-linux': [
    'nsenter',
    'unshare',
    'setpriv',
    'lsns',
    'findmnt',
    'flock',
    'ionice',
    'taskset',
    'chrt',
    'setsid',
    'logger',
    'dmesg',
    'renice',
    'prlimit',
    'mountpoint',
    'lsblk',
    'blkid',
    'more',
    'rev',
    'script',
    'fstrim',
    'kill',
  ],
  mount: ['mount', 'umount', 'losetup', 'swapon', 'swapoff'],
  ebtables: ['ebtables', 'ebtables-save', 'ebtables-restore'],
  kmod: ['kmod', 'modprobe', 'lsmod', 'insmod', 'rmmod', 'modinfo', 'depmod'],
  libseccomp2: [],
  pigz: ['pigz', 'unpigz'],
  'fuse-overlayfs': ['fuse-overlayfs'],
  'nfs-common': ['mount.nfs', 'showmount', 'nfsstat', 'rpc.statd', 'sm-notify'],
  'open-iscsi': ['iscsiadm', 'iscsid'],
  bash: ['bash'],
  'ca-certificates': ['update-ca-certificates'],
  curl: ['curl'],
  jq: ['jq'],
  procps: ['ps', 'sysctl', 'pgrep', 'pkill', 'top', 'free', 'uptime', 'vmstat', 'w', 'watch', 'pmap', 'pwdx', 'slabtop', 'kill'],
  'gettext-base': ['envsubst', 'gettext', 'ngettext'],
  nginx: ['nginx'],
};

const fromDebian = (packages: string[]) =>
  packages.flatMap((name) => {
    const programs = DEBIAN_PACKAGES[name];
    if (!programs) throw new Error(`no program list for the Debian package ${name}`);
    return programs;
  });

/**
 * kindest/node, by the kind release that built it: kind's images/base/Dockerfile, its
 * `clean-install` of packages (at v0.20.0 lines 72-77: systemd conntrack iptables iproute2 ethtool
 * util-linux mount ebtables kmod libseccomp2 pigz fuse-overlayfs nfs-common open-iscsi bash
 * ca-certificates curl jq procps; at v0.25.0 and v0.26.0 lines 74-79, nftables added) on
 * debian:bookworm-slim, then the binaries it builds or copies: containerd, ctr,
 * containerd-shim-runc-v2, runc, crictl, containerd-fuse-overlayfs-grpc, kind's own scripts
 * (entrypoint, clean-install) and the node image's kubeadm, kubelet and kubectl. No tcpdump, no
 * dig, no ipset: the course installs tcpdump itself before lesson 18 (18-mtu/deploy.sh).
 */
const KIND_BASE_PACKAGES = [
  'systemd',
  'conntrack',
  'iptables',
  'iproute2',
  'ethtool',
  'util-linux',
  'mount',
  'ebtables',
  'kmod',
  'libseccomp2',
  'pigz',
  'fuse-overlayfs',
  'nfs-common',
  'open-iscsi',
  'bash',
  'ca-certificates',
  'curl',
  'jq',
  'procps',
];
const KIND_BINARIES = [
  'containerd',
  'ctr',
  'containerd-shim-runc-v2',
  'runc',
  'crictl',
  'containerd-fuse-overlayfs-grpc',
  'entrypoint',
  'clean-install',
  'kubeadm',
  'kubelet',
  'kubectl',
];
const KIND_NODE_PACKAGES: Record<keyof typeof KIND_RELEASES, string[]> = {
  'v0.20.0': KIND_BASE_PACKAGES,
  'v0.25.0': [...KIND_BASE_PACKAGES, 'nftables'],
  'v0.26.0': [...KIND_BASE_PACKAGES, 'nftables'],
};

export function kindNodePrograms(release: string): Set<string> {
  const packages = KIND_NODE_PACKAGES[release];
  if (!packages) throw new Error(`no kindest/node inventory for kind ${release}: add its images/base/Dockerfile packages here`);
  return new Set([...DEBIAN_ESSENTIAL, ...fromDebian(packages), ...KIND_BINARIES]);
}

/** The node image a stand-in node is: the programs every supported kind release's kindest/node has. */
export const KIND_NODE_IMAGE = `kindest/node (kind ${Object.keys(KIND_RELEASES).join(', ')})`;
export const KIND_NODE_PROGRAMS = new Set(
  [...kindNodePrograms(Object.keys(KIND_RELEASES)[0] as string)].filter((program) =>
    Object.keys(KIND_RELEASES).every((release) => kindNodePrograms(release).has(program)),
  ),
);

/**
 * nginx:stable: nginxinc/docker-nginx stable/debian/Dockerfile, FROM debian:bookworm-slim, installs
 * the nginx packages (nginx and its modules), gettext-base (envsubst, for its templates) and curl
 * (ca-certificates with it). No tcpdump, no dig, no ip.
 */
const NGINX_PROGRAMS = new Set([...DEBIAN_ESSENTIAL, ...fromDebian(['nginx', 'gettext-base', 'curl', 'ca-certificates'])]);

/**
 * redis:7-alpine: docker-library/redis 7.x/alpine/Dockerfile, FROM alpine, `apk add su-exec
 * tzdata` (setpriv in later 7.x), then redis built from source into /usr/local/bin (redis-server,
 * redis-cli, redis-benchmark, redis-check-aof, redis-check-rdb, redis-sentinel) and
 * docker-entrypoint.sh. The rest is Alpine's busybox: no tcpdump applet.
 */
const REDIS_PROGRAMS = new Set([
  ...ALPINE_BUSYBOX_APPLETS,
  'su-exec',
  'setpriv',
  'redis-server',
  'redis-cli',
  'redis-benchmark',
  'redis-check-aof',
  'redis-check-rdb',
  'redis-sentinel',
  'docker-entrypoint.sh',
  'getent',
]);

/**
 * nicolaka/netshoot: its Dockerfile, FROM alpine, `apk add` of (among others) bash bind-tools bird
 * bridge-utils busybox-extras conntrack-tools curl drill ethtool fping iperf iperf3 iproute2 ipset
 * iptables iputils jq mtr netcat-openbsd nftables ngrep nmap openssl socat strace tcpdump
 * tcptraceroute tshark util-linux; plus calicoctl and others copied into /usr/local/bin.
 */
const NETSHOOT_PROGRAMS = new Set([
  ...ALPINE_BUSYBOX_APPLETS,
  ...MULTITOOL_PACKAGE_PROGRAMS.filter((program) => program !== 'nginx'),
  ...'birdc birdcl brctl conntrack drill ethtool fping iperf iperf3 ipset iptables ip6tables iptables-save nft ngrep nmap nping socat strace tshark nsenter unshare setpriv calicoctl zsh ab'.split(
    ' ',
  ),
]);

/**
 * quay.io/calico/node (v3.30): projectcalico/calico node/Dockerfile.amd64, on UBI minimal: the
 * calico-node binary and its links, BIRD's client (`COPY --from=bird /bird* /bin/`: bird, bird6,
 * birdcl), and the packages it installs for Felix: iptables, ipset, iproute (ip, tc, ss, bridge),
 * conntrack-tools, kmod, procps-ng, util-linux, findutils, hostname, coreutils-single.
 */
const CALICO_NODE_PROGRAMS = new Set([
  ...'cat echo printf true false test [ sleep timeout ls head tail cut tr wc sort env id date mkdir rm cp mv readlink stat seq tee base64 uname sh bash grep sed find xargs hostname'.split(
    ' ',
  ),
  ...'calico-node bird bird6 birdcl ipset iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore iptables-legacy iptables-nft nft ip tc ss bridge conntrack modprobe lsmod ps pgrep sysctl nsenter'.split(
    ' ',
  ),
]);

/**
 * frrouting/frr (v8.4.0): FRRouting/frr docker/alpine/Dockerfile, FROM alpine, installs the frr
 * apk built from alpine/APKBUILD.in, whose `depends=` pulls iproute2 (ip, ss, tc, bridge) and
 * bash; FRR's daemons and vtysh; busybox for the rest (its ping accepts -n and -i).
 */
const FRR_PROGRAMS = new Set([
  ...ALPINE_BUSYBOX_APPLETS,
  'ping',
  'ip',
  'ss',
  'tc',
  'bridge',
  'bash',
  'vtysh',
  'zebra',
  'bgpd',
  'staticd',
  'watchfrr',
  'frrinit.sh',
]);

/** The router's image in the course's containerlab topologies (each topology.clab.yaml under fixtures/topologies). */
export const FRR_IMAGE = 'frrouting/frr:v8.4.0';

/** busybox:1.36 (docker-library/busybox, the glibc variant): one binary with every applet, nothing else. */
const BUSYBOX_PROGRAMS = new Set([...ALPINE_BUSYBOX_APPLETS, 'ping', 'ip', 'wget', 'ps', 'ifconfig', 'route', 'netstat', 'arp']);

/**
 * praqma/network-multitool (wbitt/Network-MultiTool's Dockerfile): see multitool-inventory.ts.
 * The suite's probe pods and its node-shell pod run it.
 */
const MULTITOOL_PROGRAMS = new Set([...MULTITOOL_PACKAGE_PROGRAMS, ...ALPINE_BUSYBOX_APPLETS]);

/** Image reference (without tag digest) → its programs. */
const IMAGES: Array<[pattern: RegExp, programs: Set<string>]> = [
  [/^(docker\.io\/)?(praqma|wbitt)\/network-multitool(:|@|$)/, MULTITOOL_PROGRAMS],
  [/^(docker\.io\/)?(library\/)?nginx:stable(-bookworm)?$/, NGINX_PROGRAMS],
  [/^(docker\.io\/)?(library\/)?redis:7(\.\d+)*-alpine$/, REDIS_PROGRAMS],
  [/^(docker\.io\/)?nicolaka\/netshoot(:|@|$)/, NETSHOOT_PROGRAMS],
  [/^(docker\.io\/|quay\.io\/)?calico\/node(:|@|$)/, CALICO_NODE_PROGRAMS],
  [/^(docker\.io\/)?frrouting\/frr(:|@|$)/, FRR_PROGRAMS],
  [/^(docker\.io\/)?(library\/)?busybox(:|@|$)/, BUSYBOX_PROGRAMS],
  [/^kindest\/node(:|@|$)/, KIND_NODE_PROGRAMS],
];

/** The programs of an image; an image with no inventory here is an error (add one, from its Dockerfile). */
export function programsOf(image: string): Set<string> {
  const found = IMAGES.find(([pattern]) => pattern.test(image));
  if (!found) throw new Error(`no program inventory for image ${image}: add one to test/kind/image-inventory.ts from its Dockerfile`);
  return found[1];
}

/** Why `argv` cannot run in a container of `image`, or undefined when its program is there. */
export function missingProgram(image: string, argv: string[]): string | undefined {
  const program = (argv[0] ?? '').split('/').pop() ?? '';
  return programsOf(image).has(program) ? undefined : `${image} has no ${program} (\`${argv.join(' ')}\`)`;
}
