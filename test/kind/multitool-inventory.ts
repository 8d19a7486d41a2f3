/**
 * The programs a pod of the course's test image has, and nothing else: wbitt/Network-MultiTool's
 * Dockerfile (FROM alpine, `apk add bash bind-tools busybox-extras curl iproute2 iputils jq mtr
 * net-tools nginx openssl perl-net-telnet procps tcpdump tcptraceroute wget`; no netcat, no
 * fping, no util-linux) plus the busybox applets Alpine enables (alpinelinux/aports
 * main/busybox/busyboxconfig; only those a probe could plausibly call are listed). Where a
 * package ships a program busybox also has (ip, ping, wget, ps), the package's wins on PATH.
 */
export const MULTITOOL_PACKAGE_PROGRAMS = [
  'bash',
  'dig',
  'host',
  'nslookup',
  'curl',
  'ip',
  'ss',
  'bridge',
  'tc',
  'ping',
  'ping6',
  'tracepath',
  'arping',
  'jq',
  'mtr',
  'netstat',
  'ifconfig',
  'route',
  'arp',
  'nginx',
  'openssl',
  'ps',
  'top',
  'tcpdump',
  'tcptraceroute',
  'wget',
  // Not from the Dockerfile's apk add: the Alpine base image's musl-utils (aports main/musl,
  // subpackage musl-utils: getconf, getent, iconv, ldd), which every alpine image holds.
  'getent',
];

export const ALPINE_BUSYBOX_APPLETS = [
  'sh',
  'ash',
  'cat',
  'echo',
  'printf',
  'true',
  'false',
  'test',
  '[',
  'sleep',
  'timeout',
  'kill',
  'ls',
  'head',
  'tail',
  'grep',
  'sed',
  'awk',
  'cut',
  'tr',
  'wc',
  'sort',
  'uniq',
  'hostname',
  'nc',
  'nsenter',
  'unshare',
  'traceroute',
  'ipcalc',
  'env',
  'id',
  'date',
  'mkdir',
  'rm',
  // base64 (coreutils is not installed): the capture probe reads a pcap file back with it.
  'base64',
  'cp',
  'mv',
  'readlink',
  'stat',
  'xargs',
  'seq',
  'tee',
  'dmesg',
  'sysctl',
  'mount',
  'umount',
];

export const MULTITOOL_PROGRAMS = new Set([...MULTITOOL_PACKAGE_PROGRAMS, ...ALPINE_BUSYBOX_APPLETS]);

/** The command a background wrapper (`sh -c 'echo $$ > "$0" && exec "$@"' <pidfile> argv…`) runs. */
export function unwrapBackground(argv: string[]): string[] {
  return argv[0] === 'sh' && argv[1] === '-c' && (argv[2] ?? '').includes('exec "$@"') ? argv.slice(4) : argv;
}
