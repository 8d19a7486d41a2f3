/**
 * `conntrack -L` output: one flow per line, as libnetfilter_conntrack's default printer writes it.
 *
 * Checked against conntrack-tools 1.4.7 on kernel flows of TCP, UDP, ICMP and ICMPv6, IPv4 and
 * IPv6, with `-L`, `-L -p tcp --orig-dst <ip>`, `-f ipv6`, `-o extended` (the address family's
 * name and number first: `ipv4 2 tcp 6 …`), `-o id`, `-o ktimestamp` (`[start=<date>]`), and with
 * nf_conntrack_acct on (`packets= bytes=` in each tuple, `delta-time=`). Grammar:
 *   [family familynum] protocol protonum timeout [STATE] tuple [UNREPLIED] tuple [flags] key=value…
 * where a tuple is `src= dst=` then the protocol's keys (`sport= dport=`, `type= code= id=`…)
 * and its counters. A word in none of these places is an error naming the line.
 * The `conntrack v… : N flow entries have been shown.` summary goes to stderr.
 */
import { ParseError } from './errors.ts';

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  packets?: number;
  bytes?: number;
}

export interface ConntrackEntry {
  /** `ipv4` or `ipv6`, printed by `-o extended` only. */
  family?: string;
  protocol: string;
  /** TCP state (ESTABLISHED, TIME_WAIT, …), absent for UDP. */
  state?: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  flags: string[];
  raw: string;
}

const FAMILIES: Record<string, string> = { ipv4: '2', ipv6: '10' };
/** Keys of a tuple: addresses, the protocol's own keys, the direction's zone and counters. */
const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id', 'srckey', 'dstkey', 'zone', 'packets', 'bytes']);
/** Keys after both tuples. */
const TRAILING_KEYS = new Set(['mark', 'secmark', 'secctx', 'zone', 'use', 'id', 'delta-time', 'helper', 'labels']);
const TRAILING_FLAGS = /^\[(ASSURED|OFFLOAD|HW_OFFLOAD|DYING|start=.*|stop=.*)\]$/;
const NUMERIC = new Set(['sport', 'dport', 'packets', 'bytes']);

export function parseConntrack(text: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const fail = (reason: string): never => {
      throw new ParseError('conntrack', reason, raw, index + 1);
    };
    const words = [...line.matchAll(/\[[^\]]*\]|\S+/g)].map((match) => match[0]);
    let i = 0;
    let family: string | undefined;
    if (Object.hasOwn(FAMILIES, words[0] ?? '')) {
      family = words[0];
      if (words[1] !== FAMILIES[family as string]) fail(`family ${family} with number ${words[1]}`);
      i = 2;
    }
    const protocol = words[i];
    if (!protocol || !/^[a-z0-9]+$/.test(protocol) || !/^\d+$/.test(words[i + 1] ?? '') || !/^\d+$/.test(words[i + 2] ?? ''))
      fail('expected "[family number] protocol number timeout" first');
    i += 3;
    let state: string | undefined;
    if (/^[A-Z_]+$/.test(words[i] ?? '')) state = words[i++];
    const tuples: Partial<ConntrackTuple>[] = [];
    const flags: string[] = [];
    let inTuple = false;
    for (; i < words.length; i++) {
      const word = words[i] as string;
      const flag = /^\[(.*)\]$/.exec(word);
      if (flag) {
        const name = flag[1] as string;
        if (name === 'UNREPLIED' ? tuples.length !== 1 : tuples.length !== 2 || !TRAILING_FLAGS.test(word))
          fail(`flag ${word} out of place`);
        flags.push(name);
        inTuple = false;
        continue;
      }
      const pair = /^([a-z-]+)=(.*)$/.exec(word);
      if (!pair) return fail(`"${word}" is neither key=value nor [FLAG]`);
      const [, key, value] = pair as unknown as [string, string, string];
      if (key === 'src' && tuples.length < 2) {
        tuples.push({ src: value });
        inTuple = true;
        continue;
      }
      if (inTuple && TUPLE_KEYS.has(key) && key !== 'src') {
        const tuple = tuples.at(-1) as Partial<ConntrackTuple> & Record<string, unknown>;
        if (NUMERIC.has(key)) {
          if (!/^\d+$/.test(value)) fail(`${key}=${value} is not a number`);
          tuple[key] = Number(value);
        } else tuple[key] = value;
        continue;
      }
      // After the reply tuple's own keys; `id=` and `zone=` count as trailing once a trailing key ended the tuple.
      if (tuples.length === 2 && TRAILING_KEYS.has(key)) {
        inTuple = false;
        continue;
      }
      fail(`${key}= out of place`);
    }
    const [original, reply] = tuples;
    if (tuples.length !== 2 || !original?.dst || !reply?.dst) fail('expected an original and a reply tuple, each with src= and dst=');
    entries.push({
      ...(family ? { family } : {}),
      protocol: protocol as string,
      ...(state ? { state } : {}),
      original: original as ConntrackTuple,
      reply: reply as ConntrackTuple,
      flags,
      raw: line,
    });
  });
  return entries;
}
