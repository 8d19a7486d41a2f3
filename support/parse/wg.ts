/**
 * wireguard-tools' `wg show` (its pretty form, one or all interfaces), `wg show all dump`
 * (tab-separated, for scripts) and `wg show <iface> transfer`. Strict: a line not of the form
 * wg prints is an error naming it. Checked against wireguard-tools v1.0.20210914 over
 * wireguard-go, and the `wg show` of lesson 13's README.
 */
import { ParseError } from './errors.ts';

export interface WgPeer {
  publicKey: string;
  endpoint: string | undefined;
  allowedIps: string[];
  /** Seconds since the latest handshake; undefined where there has been none. */
  latestHandshakeSecondsAgo: number | undefined;
  /** Bytes received from and sent to the peer; 0 where wg prints no transfer line. */
  rxBytes: number;
  txBytes: number;
  persistentKeepalive: string | undefined;
  hasPresharedKey: boolean;
}

export interface WgInterface {
  name: string;
  publicKey: string | undefined;
  listeningPort: number | undefined;
  /** The firewall mark, as a number; undefined where wg prints none (mark 0). */
  fwmark: number | undefined;
  peers: WgPeer[];
}

const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { year: 365 * 86400, day: 86400, hour: 3600, minute: 60, second: 1 };

function key(parser: string, value: string, line: string, lineNumber: number): string {
  if (!KEY.test(value)) throw new ParseError(parser, `"${value}" is not a WireGuard key`, line, lineNumber);
  return value;
}

function bytes(parser: string, text: string, line: string, lineNumber: number): number {
  const match = /^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!match) throw new ParseError(parser, `"${text}" is not an amount of data`, line, lineNumber);
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}

/** `1 minute, 3 seconds ago`, `Now`. */
function secondsAgo(parser: string, text: string, line: string, lineNumber: number): number {
  if (text === 'Now') return 0;
  if (!text.endsWith(' ago')) throw new ParseError(parser, `"${text}" is not a time ago`, line, lineNumber);
  let total = 0;
  for (const part of text.slice(0, -' ago'.length).split(', ')) {
    const match = /^(\d+) (year|day|hour|minute|second)s?$/.exec(part);
    if (!match) throw new ParseError(parser, `"${part}" is not a span of time`, line, lineNumber);
    total += Number(match[1]) * (TIME_UNITS[match[2] as string] as number);
  }
  return total;
}

function newPeer(publicKey: string): WgPeer {
  return {
    publicKey,
    endpoint: undefined,
    allowedIps: [],
    latestHandshakeSecondsAgo: undefined,
    rxBytes: 0,
    txBytes: 0,
    persistentKeepalive: undefined,
    hasPresharedKey: false,
  };
}

/** `wg show` or `wg show <iface>`: interface blocks, each followed by its peers. Empty output: no interface. */
export function parseWgShow(text: string): WgInterface[] {
  const parser = 'parseWgShow';
  const interfaces: WgInterface[] = [];
  let current: WgInterface | undefined;
  let peer: WgPeer | undefined;
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    const top = /^(interface|peer): (\S+)$/.exec(line);
    if (top) {
      if (top[1] === 'interface') {
        current = { name: top[2] as string, publicKey: undefined, listeningPort: undefined, fwmark: undefined, peers: [] };
        interfaces.push(current);
        peer = undefined;
      } else {
        if (!current) throw new ParseError(parser, 'a peer before any interface', line, lineNumber);
        peer = newPeer(key(parser, top[2] as string, line, lineNumber));
        current.peers.push(peer);
      }
      return;
    }
    const field = /^ {2}([a-z ]+): (.+)$/.exec(line);
    if (!field || !current) throw new ParseError(parser, 'not a line of wg show', line, lineNumber);
    const [, name, value] = field as unknown as [string, string, string];
    if (!peer) {
      if (name === 'public key') current.publicKey = key(parser, value, line, lineNumber);
      else if (name === 'private key') {
        if (value !== '(hidden)') key(parser, value, line, lineNumber);
      } else if (name === 'listening port') {
        if (!/^\d+$/.test(value)) throw new ParseError(parser, `listening port "${value}" is not a number`, line, lineNumber);
        current.listeningPort = Number(value);
      } else if (name === 'fwmark') {
        if (!/^0x[0-9a-f]+$/.test(value)) throw new ParseError(parser, `fwmark "${value}" is not hexadecimal`, line, lineNumber);
        current.fwmark = Number.parseInt(value.slice(2), 16);
      } else throw new ParseError(parser, `unknown interface field "${name}"`, line, lineNumber);
      return;
    }
    if (name === 'endpoint') peer.endpoint = value;
    else if (name === 'allowed ips') peer.allowedIps = value === '(none)' ? [] : value.split(', ');
    else if (name === 'latest handshake') peer.latestHandshakeSecondsAgo = secondsAgo(parser, value, line, lineNumber);
    else if (name === 'transfer') {
      const match = /^(.+) received, (.+) sent$/.exec(value);
      if (!match) throw new ParseError(parser, `transfer "${value}" is not "<n> received, <n> sent"`, line, lineNumber);
      peer.rxBytes = bytes(parser, match[1] as string, line, lineNumber);
      peer.txBytes = bytes(parser, match[2] as string, line, lineNumber);
    } else if (name === 'persistent keepalive') peer.persistentKeepalive = value;
    else if (name === 'preshared key') peer.hasPresharedKey = true;
    else throw new ParseError(parser, `unknown peer field "${name}"`, line, lineNumber);
  });
  return interfaces;
}

/**
 * `wg show all dump`: per interface a line `<iface> <private> <public> <port> <fwmark>`, then per
 * peer `<iface> <public> <preshared> <endpoint> <allowed ips> <handshake epoch> <rx> <tx> <keepalive>`,
 * tab-separated. Exact byte counts and handshake times, for the checks that compare them.
 */
export function parseWgDump(text: string): WgInterface[] {
  const parser = 'parseWgDump';
  const interfaces = new Map<string, WgInterface>();
  const nowSeconds = Math.floor(Date.now() / 1000);
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length === 5) {
      const [name, privateKey, publicKey, port, fwmark] = fields as [string, string, string, string, string];
      if (interfaces.has(name)) throw new ParseError(parser, `interface ${name} appears twice`, line, lineNumber);
      if (privateKey !== '(none)') key(parser, privateKey, line, lineNumber);
      if (!/^\d+$/.test(port)) throw new ParseError(parser, `listening port "${port}" is not a number`, line, lineNumber);
      if (fwmark !== 'off' && !/^0x[0-9a-f]+$/.test(fwmark))
        throw new ParseError(parser, `fwmark "${fwmark}" is not off or hexadecimal`, line, lineNumber);
      interfaces.set(name, {
        name,
        publicKey: publicKey === '(none)' ? undefined : key(parser, publicKey, line, lineNumber),
        listeningPort: Number(port),
        fwmark: fwmark === 'off' ? undefined : Number.parseInt(fwmark.slice(2), 16),
        peers: [],
      });
      return;
    }
    if (fields.length !== 9)
      throw new ParseError(parser, `${fields.length} tab-separated fields, not 5 (interface) or 9 (peer)`, line, lineNumber);
    const [name, publicKey, preshared, endpoint, allowed, handshake, rx, tx, keepalive] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const owner = interfaces.get(name);
    if (!owner) throw new ParseError(parser, `a peer of interface ${name} before its interface line`, line, lineNumber);
    for (const [what, value] of [
      ['latest handshake', handshake],
      ['received bytes', rx],
      ['sent bytes', tx],
    ] as const)
      if (!/^\d+$/.test(value)) throw new ParseError(parser, `${what} "${value}" is not a number`, line, lineNumber);
    if (keepalive !== 'off' && !/^\d+$/.test(keepalive))
      throw new ParseError(parser, `persistent keepalive "${keepalive}" is not off or a number`, line, lineNumber);
    owner.peers.push({
      publicKey: key(parser, publicKey, line, lineNumber),
      endpoint: endpoint === '(none)' ? undefined : endpoint,
      allowedIps: allowed === '(none)' ? [] : allowed.split(','),
      latestHandshakeSecondsAgo: handshake === '0' ? undefined : Math.max(0, nowSeconds - Number(handshake)),
      rxBytes: Number(rx),
      txBytes: Number(tx),
      persistentKeepalive: keepalive === 'off' ? undefined : keepalive,
      hasPresharedKey: preshared !== '(none)',
    });
  });
  return [...interfaces.values()];
}

/** `wg show <iface> transfer`: `<peer key>\t<received bytes>\t<sent bytes>` per peer. */
export function parseWgTransfer(text: string): { publicKey: string; rxBytes: number; txBytes: number }[] {
  const parser = 'parseWgTransfer';
  return text
    .split('\n')
    .map((line, index) => ({ line, lineNumber: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, lineNumber }) => {
      const match = /^(\S+)\t(\d+)\t(\d+)$/.exec(line);
      if (!match) throw new ParseError(parser, 'not "<peer key>\\t<received>\\t<sent>"', line, lineNumber);
      return { publicKey: key(parser, match[1] as string, line, lineNumber), rxBytes: Number(match[2]), txBytes: Number(match[3]) };
    });
}

/** `wg show <iface> public-key`: one key. */
export function parseWgPublicKey(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 1) throw new ParseError('parseWgPublicKey', `${lines.length} lines, not one key`, text);
  return key('parseWgPublicKey', (lines[0] as string).trim(), text, 1);
}
