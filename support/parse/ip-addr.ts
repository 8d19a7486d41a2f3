/**
 * `ip addr` / `ip link` output, text or `-j` JSON. Checked against iproute2 6.1.0 (`ip addr`,
 * `ip -j addr`, `ip link`, `ip -j link`) on loopback, veth (with the peer up, down, and itself
 * admin-down), VXLAN and pod interfaces, IPv4 and IPv6 addresses, and the lines the course prints
 * (iproute2 of kindest/node and the multitool image).
 */
import { compact } from './compact.ts';
import { ParseError } from './errors.ts';
import { JsonFields, looksLikeJson, parseJsonArray, type JsonObject } from './json.ts';

const PARSER = 'parseIpAddr';

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  local: string;
  prefixLen: number;
  scope: string;
  /** The far end of a point-to-point address (`inet A peer B/N`). */
  peer?: string;
}

export interface Interface {
  index: number;
  name: string;
  /** N of `eth0@ifN` (JSON `link_index`): the peer's ifindex in another network namespace. */
  peerIndex?: number;
  /** Name after `@` when peer or parent is in the same namespace (`vetha@vethb`, JSON `link`). */
  link?: string;
  /** `link-netnsid N`; the JSON always gives the id. */
  linkNetnsId?: number;
  /** `link-netns NAME`: the text names the peer namespace instead of its id when it has a name. */
  linkNetns?: string;
  flags: string[];
  /** Administratively up: the UP flag (operState says whether the link actually works). */
  up: boolean;
  /**
   * Operationally up, as the kernel sets IFF_RUNNING (netif_oper_up: admin up and operstate UP or
   * UNKNOWN) and as Felix's interface monitor reads it; an admin-up interface without carrier
   * (`NO-CARRIER`, `state LOWERLAYERDOWN`) is not.
   */
  operUp: boolean;
  operState: string;
  mtu: number;
  /** `ether`, `loopback`, `ipip`, `none`…; absent when the output has no link line (`ip -4 addr`). */
  linkType?: string;
  /** Link-layer address as printed (a MAC for Ethernet, `0.0.0.0` for ipip). */
  mac?: string;
  addresses: InterfaceAddress[];
}

/**
 * Parses `ip addr` / `ip link` output, text or `-j` JSON (`ip link` simply has no addresses).
 * Empty output is an error: every network namespace has at least `lo`.
 */
export function parseIpAddr(text: string): Interface[] {
  if (text.trim() === '') throw new ParseError(PARSER, 'empty output, expected at least one interface', text);
  return looksLikeJson(text) ? fromJson(text) : fromText(text);
}

// ---- JSON ----------------------------------------------------------------------------------

function fromJson(text: string): Interface[] {
  const objects = parseJsonArray(PARSER, text).filter((o) => Object.keys(o).length > 0);
  if (objects.length === 0) throw new ParseError(PARSER, 'JSON lists no interface', text);
  return objects.map(interfaceFromJson);
}

function interfaceFromJson(obj: JsonObject): Interface {
  const f = new JsonFields(PARSER, obj);
  const flags = f.strings('flags');
  const link = f.optString('link');
  return compact({
    index: f.number('ifindex'),
    name: f.string('ifname'),
    peerIndex: f.optNumber('link_index'),
    link: link === 'NONE' ? undefined : link,
    linkNetnsId: f.optNumber('link_netnsid'),
    flags,
    up: flags.includes('UP'),
    operUp: operUp(flags, f.string('operstate')),
    operState: f.string('operstate'),
    mtu: f.number('mtu'),
    linkType: f.optString('link_type'),
    mac: f.optString('address'),
    addresses: (f.objects('addr_info') ?? []).map(addressFromJson),
  });
}

function addressFromJson(obj: JsonObject): InterfaceAddress {
  const f = new JsonFields(PARSER, obj);
  const family = f.string('family');
  if (family !== 'inet' && family !== 'inet6') {
    throw new ParseError(PARSER, `unknown address family "${family}"`, JSON.stringify(obj));
  }
  return compact({
    family,
    local: f.string('local'),
    prefixLen: f.number('prefixlen'),
    scope: f.string('scope'),
    peer: f.optString('address'),
  });
}

function operUp(flags: string[], operState: string): boolean {
  return flags.includes('UP') && (operState === 'UP' || operState === 'UNKNOWN');
}

// ---- text ----------------------------------------------------------------------------------

// `2: eth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default …`
const HEADER = /^(\d+):\s+([^\s:]+?)(?:@([^\s:@]+))?:\s+<([^>]*)>\s*(.*)$/;
// `    inet 192.168.146.66/32 scope global eth0`, `    inet 10.0.0.1 peer 10.0.0.2/32 scope …`
const ADDRESS = /^\s+(inet6?)\s+(\S+)(?:\s+peer\s+(\S+))?(.*)$/;

function fromText(text: string): Interface[] {
  const result: Interface[] = [];
  let current: Interface | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const lineNumber = i + 1;
    if (line.trim() === '') return;
    const header = HEADER.exec(line);
    if (header) {
      current = headerFromText(header, line, lineNumber);
      result.push(current);
      return;
    }
    if (!/^\s/.test(line)) {
      throw new ParseError(PARSER, 'expected an interface header like "2: eth0@if6: <…> mtu …"', line, lineNumber);
    }
    if (!current) {
      throw new ParseError(PARSER, 'interface detail before any interface header (truncated output?)', line, lineNumber);
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('link/')) {
      Object.assign(current, linkLineFromText(trimmed, lineNumber));
      return;
    }
    const address = ADDRESS.exec(line);
    if (address) current.addresses.push(addressFromText(address, line, lineNumber));
    else if (!DETAIL.test(trimmed))
      throw new ParseError(
        PARSER,
        'expected a link/, inet, inet6, valid_lft or altname line (ip -d details are not read)',
        line,
        lineNumber,
      );
  });
  return result;
}

function headerFromText(m: RegExpExecArray, line: string, lineNumber: number): Interface {
  const [, index = '', name = '', at, flagList = '', rest = ''] = m;
  const attrs = pairs(rest);
  const mtu = Number(attrs.get('mtu'));
  const operState = attrs.get('state');
  if (!Number.isInteger(mtu) || operState === undefined) {
    throw new ParseError(PARSER, 'interface header without "mtu N" and "state S"', line, lineNumber);
  }
  const flags = flagList === '' ? [] : flagList.split(',');
  const peer = at === undefined ? undefined : /^if(\d+)$/.exec(at);
  return compact({
    index: Number(index),
    name,
    peerIndex: peer ? Number(peer[1]) : undefined,
    link: peer || at === 'NONE' ? undefined : at, // @NONE: a tunnel with no underlying device
    flags,
    up: flags.includes('UP'),
    operUp: operUp(flags, operState),
    operState,
    mtu,
    addresses: [],
  });
}

/** `link/ether 7e:08:… brd ff:… link-netnsid 0`, `link/none`, `link/ipip 0.0.0.0 brd 0.0.0.0`. */
function linkLineFromText(trimmed: string, lineNumber: number): Partial<Interface> {
  const [kind = '', ...tokens] = trimmed.split(/\s+/);
  const linkType = kind.slice('link/'.length);
  const first = tokens[0];
  const mac = first !== undefined && !LINK_KEYWORDS.has(first) ? first : undefined;
  const attrs = pairs(tokens.slice(mac === undefined ? 0 : 1).join(' '));
  const netnsId = attrs.get('link-netnsid');
  if (netnsId !== undefined && !/^\d+$/.test(netnsId)) {
    throw new ParseError(PARSER, `link-netnsid "${netnsId}" is not a number`, trimmed, lineNumber);
  }
  return compact({
    linkType,
    mac,
    linkNetnsId: netnsId === undefined ? undefined : Number(netnsId),
    linkNetns: attrs.get('link-netns'),
  });
}

// Lines that carry nothing reported: an address's lifetimes, an interface's other names, an SR-IOV VF.
const DETAIL = /^(valid_lft \S+ preferred_lft \S+|altname \S+|vf \d+ .*)$/;

const LINK_KEYWORDS = new Set(['brd', 'peer', 'link-netnsid', 'link-netns', 'permaddr', 'promiscuity']);

function addressFromText(m: RegExpExecArray, line: string, lineNumber: number): InterfaceAddress {
  const [, family = '', local = '', peer, rest = ''] = m;
  // With `peer`, the prefix length is printed on the peer, not on the local address.
  const withPrefix = peer ?? local;
  const slash = withPrefix.lastIndexOf('/');
  const prefixLen = slash < 0 ? NaN : Number(withPrefix.slice(slash + 1));
  if (!Number.isInteger(prefixLen)) {
    throw new ParseError(PARSER, `${family} address without a prefix length`, line, lineNumber);
  }
  const scope = pairs(rest).get('scope');
  if (scope === undefined) throw new ParseError(PARSER, `${family} address without a scope`, line, lineNumber);
  return compact({
    family: family as 'inet' | 'inet6',
    local: peer === undefined ? local.slice(0, slash) : local,
    prefixLen,
    scope,
    peer: peer === undefined ? undefined : peer.slice(0, slash),
  });
}

/** Maps every word to the word after it (`mtu 1450 qdisc noqueue` → mtu→1450, …); first wins. */
function pairs(text: string): Map<string, string> {
  const tokens = text.trim().split(/\s+/);
  const map = new Map<string, string>();
  for (let i = 0; i < tokens.length - 1; i++) {
    const key = tokens[i] as string;
    if (!map.has(key)) map.set(key, tokens[i + 1] as string);
  }
  return map;
}
