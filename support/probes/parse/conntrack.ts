/**
 * `conntrack -L` output: one flow per line, the original direction's tuple first and the
 * reply direction's second (`src= dst= sport= dport=` each), then flags such as [ASSURED].
 * The `conntrack v… : N flow entries have been shown.` summary goes to stderr.
 */
import { ParseError } from './errors.ts';

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
}

export interface ConntrackEntry {
  protocol: string;
  /** TCP state (ESTABLISHED, TIME_WAIT, …), absent for UDP. */
  state?: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  flags: string[];
  raw: string;
}

const TCP_STATES = /^[A-Z_]+$/;

export function parseConntrack(text: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || /^conntrack v/.test(line)) return;
    const words = line.split(/\s+/);
    const protocol = words[0] as string;
    const tuples: Partial<ConntrackTuple>[] = [];
    const flags: string[] = [];
    let state: string | undefined;
    for (const word of words.slice(3)) {
      const pair = /^(src|dst|sport|dport)=(.+)$/.exec(word);
      if (pair) {
        const key = pair[1] as keyof ConntrackTuple;
        if (key === 'src') tuples.push({});
        const tuple = tuples.at(-1);
        if (!tuple) throw new ParseError('conntrack', `"${word}" before any src=`, raw, index + 1);
        if (key === 'sport' || key === 'dport') tuple[key] = Number(pair[2]);
        else tuple[key] = pair[2];
      } else if (/^\[.*\]$/.test(word)) flags.push(word.slice(1, -1));
      else if (tuples.length === 0 && TCP_STATES.test(word)) state = word;
    }
    const [original, reply] = tuples;
    if (!original?.src || !original.dst || !reply?.src || !reply.dst)
      throw new ParseError('conntrack', 'expected an original and a reply tuple', raw, index + 1);
    entries.push({
      protocol,
      ...(state ? { state } : {}),
      original: original as ConntrackTuple,
      reply: reply as ConntrackTuple,
      flags,
      raw: line,
    });
  });
  return entries;
}
