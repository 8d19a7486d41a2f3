/**
 * A containerlab topology file (topology.clab.yaml) as the course writes them: Kind nodes as
 * `ext-container`s given a second interface eth1 by `exec` lines, a router (cEOS in the
 * course, FRR here: a `linux` node) and the links between them. Pure: text in, data out.
 *
 * The embedded lab builds the same topology from this file: each link a veth pair, each
 * node's and the router's `exec` lines run in its namespace. Only the commands containerlab
 * runs for these topologies are accepted (`ip …`, `sysctl -w …`), so the lab never runs
 * anything else from a fixture.
 */
import { parse } from 'yaml';
import { cidrContains, formatCidr, parseCidr } from '../net/cidr.ts';

/** containerlab's default MTU of the veth links it creates (clab: `DefaultLinkMTU`). */
export const CLAB_DEFAULT_LINK_MTU = 9500;
/** containerlab's management network (the `clab` Docker bridge) and its gateway. */
export const CLAB_MGMT_NETWORK = '172.20.20.0/24';

export interface ClabNode {
  name: string;
  kind: string;
  image: string | undefined;
  exec: string[];
  binds: string[];
}

export interface ClabEndpoint {
  node: string;
  iface: string;
}

export interface ClabLink {
  a: ClabEndpoint;
  b: ClabEndpoint;
  mtu: number;
}

export interface ClabTopology {
  name: string;
  nodes: ClabNode[];
  links: ClabLink[];
}

/** One exec line, as the lab runs it: an `ip -batch` line, or a sysctl setting. */
export type ExecCommand = { kind: 'ip'; line: string } | { kind: 'sysctl'; setting: string };

export function parseClabTopology(text: string, file = 'topology.clab.yaml'): ClabTopology {
  const doc = parse(text) as {
    name?: unknown;
    topology?: { nodes?: Record<string, Record<string, unknown>>; links?: { endpoints?: unknown; mtu?: unknown }[] };
  } | null;
  if (!doc?.topology?.nodes) throw new Error(`${file}: no topology.nodes`);
  const nodes = Object.entries(doc.topology.nodes).map(([name, node]) => ({
    name,
    kind: String(node?.kind ?? ''),
    image: node?.image === undefined ? undefined : String(node.image),
    exec: ((node?.exec as unknown[] | undefined) ?? []).map(String),
    binds: ((node?.binds as unknown[] | undefined) ?? []).map(String),
  }));
  const links = (doc.topology.links ?? []).map((link, index) => {
    const endpoints = link.endpoints;
    if (!Array.isArray(endpoints) || endpoints.length !== 2) throw new Error(`${file}: link ${index + 1} must have two endpoints`);
    const [a, b] = endpoints.map((endpoint) => parseEndpoint(String(endpoint), file)) as [ClabEndpoint, ClabEndpoint];
    for (const end of [a, b])
      if (!nodes.some((node) => node.name === end.node)) throw new Error(`${file}: link ${index + 1} names unknown node "${end.node}"`);
    return { a, b, mtu: link.mtu === undefined ? CLAB_DEFAULT_LINK_MTU : Number(link.mtu) };
  });
  return { name: String(doc.name ?? 'clab'), nodes, links };
}

function parseEndpoint(text: string, file: string): ClabEndpoint {
  const [node, iface] = text.split(':');
  if (!node || !iface) throw new Error(`${file}: link endpoint "${text}" is not <node>:<interface>`);
  return { node, iface };
}

/** Parses one exec line; anything but `ip …` and `sysctl -w k=v` is refused with the line. */
export function parseExec(line: string, where: string): ExecCommand {
  const words = line.trim().split(/\s+/);
  if (words[0] === 'ip' && words.length > 1) return { kind: 'ip', line: words.slice(1).join(' ') };
  if (words[0] === 'sysctl' && words[1] === '-w' && words.length === 3 && words[2]?.includes('='))
    return { kind: 'sysctl', setting: words[2] };
  throw new Error(`${where}: exec line "${line}" is not one the lab runs (only "ip …" and "sysctl -w key=value")`);
}

/** `ip addr add <cidr> dev <if>` (either order): the interface and its address. */
export function addressOf(ipLine: string): { dev: string; cidr: string } | undefined {
  const words = ipLine.split(/\s+/);
  if (!/^a(ddr(ess)?)?$/.test(words[0] ?? '') || words[1] !== 'add') return undefined;
  const devIndex = words.indexOf('dev');
  const dev = words[devIndex + 1];
  const cidr = words.slice(2).find((word, index) => index + 2 !== devIndex && index + 2 !== devIndex + 1 && word.includes('/'));
  return devIndex > 0 && dev && cidr ? { dev, cidr } : undefined;
}

/** `ip route add <cidr> via <ip>`: a static route. */
export function staticRouteOf(ipLine: string): { to: string; via: string } | undefined {
  const match = /^r(oute)? add (\S+) via (\S+)/.exec(ipLine);
  return match ? { to: match[2] as string, via: match[3] as string } : undefined;
}

/** `ip link set <if> master <bridge>`. */
export function bridgePortOf(ipLine: string): { port: string; bridge: string } | undefined {
  const match = /^l(ink)? set (?:dev )?(\S+) master (\S+)/.exec(ipLine);
  return match ? { port: match[2] as string, bridge: match[3] as string } : undefined;
}

/** `ip link set <if> mtu <n>`. */
export function mtuOf(ipLine: string): { dev: string; mtu: number } | undefined {
  const match = /^l(ink)? set (?:dev )?(\S+) .*\bmtu (\d+)/.exec(ipLine);
  return match ? { dev: match[2] as string, mtu: Number(match[3]) } : undefined;
}

/** Whether `ip` lies in the network of an interface address such as 10.10.10.11/24. */
export function inSubnet(interfaceCidr: string, ip: string): boolean {
  return cidrContains(parseCidr(interfaceCidr, { loose: true }), ip);
}

/** The network of an interface address: 10.10.10.11/24 → 10.10.10.0/24. */
export function subnetOf(interfaceCidr: string): string {
  return formatCidr(parseCidr(interfaceCidr, { loose: true }));
}
