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

// iputils: `PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.`; busybox: `PING 10.0.0.1 (10.0.0.1): 56 data bytes`
const HEADER = /^PING \S+? ?\(([^)]+)\)/;
// `64 bytes from 10.0.0.1: icmp_seq=1 ttl=63 time=0.104 ms`, busybox `seq=0`, named `from h (10.0.0.1):`
const REPLY = /^\d+ bytes from (?:\S+ \(([^)]+)\)|(\S+?)):? (?:icmp_seq|icmp_req|seq)=(\d+) ttl=(\d+)(?: time=([\d.]+) ?ms)?(.*)$/;
// iputils `3 packets transmitted, 3 received, +1 errors, 0% packet loss, time 2043ms`;
// busybox `3 packets transmitted, 3 packets received, 0% packet loss`
const SUMMARY = /^(\d+) packets transmitted, (\d+) (?:packets )?received,.*?([\d.]+)% packet loss/;
const NOISE = [/^--- .* ping statistics ---$/, /^(?:rtt|round-trip) min\/avg\/max/, /^pipe \d+$/];
const ERROR = [/^From \S+.* icmp_seq=\d+ /, /^ping: /i, /^no answer yet for icmp_seq=\d+$/, /^Warning: /i];

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
    // `ping -D` prefixes every line with `[epoch.micro] `.
    const line = raw.trim().replace(/^\[\d+\.\d+\] /, '');
    if (line === '' || NOISE.some((re) => re.test(line))) return;
    const header = HEADER.exec(line);
    const reply = REPLY.exec(line);
    const summary = SUMMARY.exec(line);
    if (header) result.target = header[1];
    else if (reply) result.replies.push(replyFrom(reply));
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
  const [line, named, plain, seq, ttl, time, rest = ''] = m;
  return compact({
    bytes: Number(/^(\d+)/.exec(line)?.[1]),
    from: (named ?? plain) as string,
    seq: Number(seq),
    ttl: Number(ttl),
    timeMs: time === undefined ? undefined : Number(time),
    duplicate: rest.includes('(DUP!)') ? (true as const) : undefined,
  });
}
