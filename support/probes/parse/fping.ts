/**
 * fping's per-target summary (`fping -c N -q`, on stderr):
 *   192.168.93.202 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.05/0.05/0.05
 *   10.1.1.1       : xmt/rcv/%loss = 1/0/100%
 * The mesh probe prints the same lines itself when fping is missing.
 */
import { ParseError } from './errors.ts';

export interface ProbeSummary {
  target: string;
  sent: number;
  received: number;
}

const SUMMARY = /^(\S+)\s*: xmt\/rcv\/%loss = (\d+)\/(\d+)\/\d+%/;
// fping also reports ICMP errors it receives, one line each; they do not change the summary.
const NOISE = [/^ICMP .* from /, /^\s*$/];

export function parseFpingSummary(text: string): ProbeSummary[] {
  const summaries: ProbeSummary[] = [];
  text.split('\n').forEach((line, index) => {
    const match = SUMMARY.exec(line.trim());
    if (match) summaries.push({ target: match[1] as string, sent: Number(match[2]), received: Number(match[3]) });
    else if (!NOISE.some((pattern) => pattern.test(line)))
      throw new ParseError('parseFpingSummary', 'not an fping summary line', line, index + 1);
  });
  return summaries;
}
