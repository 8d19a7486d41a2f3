import { compact } from './compact.ts';
import { ParseError } from './errors.ts';

const PARSER = 'parsePing';

export interface PingReply {
  /** The replying address (the one in parentheses when ping printed a name). */
  from: string;
  /** `icmp_seq` (iputils, counts from 1) or `seq` (busybox, counts from 0), as printed. */
  seq: number;
  ttl: number;
  /** Absent when the payload is too small to carry a timestamp. */
  timeMs?: number;
  /** A second reply to the same request (`(DUP!)`). */
  duplicate?: true;
  /** The reply's size as ping prints it: ICMP header and data (`8908 bytes from …`). */
  bytes?: number;
}

export interface PingResult {
  /** The address pinged; undefined when ping failed before its `PING …` header. */
  target: string | undefined;
  replies: PingReply[];
  /** From the statistics line; all three undefined when ping was cut off before printing it. */
  transmitted: number | undefined;
  received: number | undefined;
  lossPercent: number | undefined;
  /** ICMP errors (`From … Destination Host Unreachable`) and ping's own `ping: …` messages. */
  errors: string[];
}

/*
 * Checked against iputils 20221126 (`ping -V`: ping from iputils 20221126) with the flags the
 * probes pass (`-n -c N -i I -W W`, `-s S -M do`) and the neighbouring ones a user may add (`-6`,
 * `-D`, `-s 4`, `-b`), IPv4 and IPv6, answered, unanswered, ICMP errors and ping's own errors
 * (fixtures netns-h24c-ping-*); and busybox ping's format (hand-written: busybox is not installed).
 * The grammar is ping_common.c/ping.c/ping6_common.c's: a `PING` header, one line per reply or
 * ICMP error, then `--- X ping statistics ---`, the counts, the rtt line and `pipe N`.
 */

// iputils IPv4 `PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.`, IPv6 `PING fd00::1(fd00::1) 56 data bytes`,
// either with `from <src> <dev>: ` (-I); busybox `PING 10.0.0.1 (10.0.0.1): 56 data bytes`.
const HEADER = /^PING \S+? ?\(([^)]+)\)(?::| from \S+ \S+:)? (?:\d+\(\d+\) bytes of data\.|\d+ data bytes)$/;
// `64 bytes from 10.0.0.1: icmp_seq=1 ttl=63 time=0.104 ms`, busybox `seq=0`, named `from h (10.0.0.1):`;
// no time when the payload is too small for a timestamp (`-s 4`); then ping's notes on the reply.
const REPLY =
  /^(\d+) bytes from (?:\S+ \(([^)]+)\)|(\S+?)):? (?:icmp_seq|icmp_req|seq)=(\d+) ttl=(\d+)(?: time=(\d+(?:\.\d+)?) ?ms)?((?: \((?:DUP!|BAD CHECKSUM!|truncated|DIFFERENT ADDRESS!)\))*)$/;
// iputils `3 packets transmitted, 3 received, +1 duplicates, +1 errors, 0% packet loss, time 2043ms`;
// busybox `3 packets transmitted, 3 packets received, 0% packet loss`
const SUMMARY =
  /^(\d+) packets transmitted, (\d+) (?:packets )?received,(?: \+\d+ (?:duplicates|corrupted|errors),)* (\d+(?:\.\d+)?)% packet loss(?:, time \d+ms)?$/;
const NOISE = [
  /^--- \S+ ping statistics ---$/,
  /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms(?:, pipe \d+)?(?:, ipg\/ewma [\d.]+\/[\d.]+ ms)?$/,
  /^round-trip min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms$/,
  /^pipe \d+$/,
];
// An ICMP error about a request (`From 10.0.0.1 icmp_seq=1 Destination Host Unreachable`), ping's
// own messages on stderr (`ping: connect: …`, `ping: local error: …`), `-O`'s notice, `-b`'s warning.
const ERROR = [
  /^From \S+(?: \([^)]+\))?:? icmp_seq=\d+ \S.*$/,
  /^ping: \S.*$/,
  /^no answer yet for icmp_seq=\d+$/,
  /^WARNING: pinging broadcast address$/,
];

/** Parses iputils or busybox ping output (stdout, with stderr merged or not). */
export function parsePing(text: string): PingResult {
  const result: PingResult = {
    target: undefined,
    replies: [],
    transmitted: undefined,
    received: undefined,
    lossPercent: undefined,
    errors: [],
  };
  text.split('\n').forEach((raw, i) => {
    // `ping -D` prefixes every reply and error with `[epoch.micro] `.
    const line = raw.trimEnd().replace(/^\[\d+\.\d+\] /, '');
    if (line === '' || NOISE.some((re) => re.test(line))) return;
    const header = HEADER.exec(line);
    const reply = REPLY.exec(line);
    const summary = SUMMARY.exec(line);
    if (header) {
      if (result.target !== undefined) throw new ParseError(PARSER, 'a second "PING" header (two runs in one output?)', raw, i + 1);
      result.target = header[1];
    } else if (reply) result.replies.push(replyFrom(reply));
    else if (summary) {
      result.transmitted = Number(summary[1]);
      result.received = Number(summary[2]);
      result.lossPercent = Number(summary[3]);
    } else if (ERROR.some((re) => re.test(line))) result.errors.push(line);
    else throw new ParseError(PARSER, 'not a line of ping output', raw, i + 1);
  });
  if (result.target === undefined && result.errors.length === 0) {
    throw new ParseError(PARSER, 'no "PING <target>" header and no error message', text);
  }
  return result;
}

function replyFrom(m: RegExpExecArray): PingReply {
  const [, bytes, named, plain, seq, ttl, time, rest = ''] = m;
  return compact({
    bytes: Number(bytes),
    from: (named ?? plain) as string,
    seq: Number(seq),
    ttl: Number(ttl),
    timeMs: time === undefined ? undefined : Number(time),
    duplicate: rest.includes('(DUP!)') ? (true as const) : undefined,
  });
}
