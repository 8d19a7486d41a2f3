/**
 * fping's per-target summary (`fping -c N -q`, on stderr), one line per target:
 *   192.168.93.202 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.05/0.05/0.05
 *   10.1.1.1       : xmt/rcv/%loss = 1/0/100%
 * The mesh probe prints the same lines itself when fping is missing.
 *
 * Checked against fping 5.1 (`fping -v`: Version 5.1) with the mesh's flags (`-c 1 -q -r 0 -i 1
 * -t T`) and `-c 2`, to IPv4, IPv6 and both in one run, answered, unanswered and with ICMP errors
 * (fixtures netns-h24c-fping-*); without `-q` fping also prints a line per request
 * (`T : [0], 64 bytes, 0.066 ms (0.066 avg, 0% loss)`, `T : [0], timed out (NaN avg, 100% loss)`),
 * the ICMP errors it received, and a blank line before the summary: recognised, and left out of
 * the summary they repeat. fping prints NOTHING for a target it cannot resolve (exit 2), so when
 * the caller names its targets, a target without exactly one summary per time it was named (fping
 * pings and summarises each entry, an address named twice included: netns-fping-repeated-target)
 * is an error, never "no reply".
 */
import { ParseError } from './errors.ts';

export interface ProbeSummary {
  target: string;
  sent: number;
  received: number;
}

const PARSER = 'parseFpingSummary';
const SUMMARY = /^(\S+)\s* : xmt\/rcv\/%loss = (\d+)\/(\d+)\/(\d+)%(?:, min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+)?$/;
const RECOGNISED = [
  /^$/,
  // fping's ICMP error report (print_warning in fping.c's ICMP handling)
  /^ICMP [\w ]+ from \S+ for ICMP Echo sent to \S+$/,
  // one request's outcome, without -q
  /^\S+\s* : \[\d+\], (?:\d+ bytes, [\d.]+ ms \([\d.]+ avg, \d+% loss\)|timed out \((?:NaN|[\d.]+) avg, \d+% loss\))$/,
];

/** Reads the summary lines; with `targets`, each must have one per time it is named. */
export function parseFpingSummary(text: string, targets?: string[]): ProbeSummary[] {
  const summaries: ProbeSummary[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    const match = SUMMARY.exec(line);
    if (match) {
      const [, target = '', sent, received, loss] = match;
      const summary = { target, sent: Number(sent), received: Number(received) };
      if (summary.received > summary.sent || Number(loss) !== lossOf(summary)) {
        throw new ParseError(PARSER, 'counts that do not add up', raw, index + 1);
      }
      summaries.push(summary);
    } else if (!RECOGNISED.some((pattern) => pattern.test(line))) {
      throw new ParseError(PARSER, 'not an fping summary line', raw, index + 1);
    }
  });
  if (targets !== undefined) {
    const named = (target: string) => targets.filter((t) => t === target).length;
    const missing = [...new Set(targets)].filter((target) => summaries.filter((s) => s.target === target).length !== named(target));
    const extra = summaries.filter((s) => !targets.includes(s.target)).map((s) => s.target);
    if (missing.length > 0 || extra.length > 0) {
      const said = [
        ...(missing.length > 0 ? [`no single summary for ${missing.join(', ')} (fping prints none for a target it could not use)`] : []),
        ...(extra.length > 0 ? [`a summary for ${extra.join(', ')}, which was not asked`] : []),
      ];
      throw new ParseError(PARSER, said.join('; '), text);
    }
  }
  return summaries;
}

/** fping's integer loss: (sent - received) * 100 / sent, truncated; 0 when nothing was sent. */
function lossOf(summary: ProbeSummary): number {
  return summary.sent === 0 ? 0 : Math.trunc(((summary.sent - summary.received) * 100) / summary.sent);
}
