/**
 * `ip rule` (text form, as the learner reads it): `<priority>:\t[not ]from <src> [to <dst>]
 * [fwmark <mark>[/<mask>]] lookup <table>`. A selector or action this parser does not know is
 * an error naming the line. Checked against iproute2 6.1.0's `ip rule` with the rules the lab's
 * WireGuard routing adds (as Felix's), and lesson 13's README.
 */
import { ParseError } from './errors.ts';

export interface IpRule {
  priority: number;
  not: boolean;
  from: string;
  to: string | undefined;
  /** `0x200000/0x200000` as printed, undefined where the rule matches no mark. */
  fwmark: string | undefined;
  table: string;
  /** The line as printed, without the tab. */
  text: string;
}

const RULE = /^(\d+):\s+(not )?from (\S+)(?: to (\S+))?(?: fwmark (0x[0-9a-f]+(?:\/0x[0-9a-f]+)?))? lookup (\S+)\s*$/;

export function parseIpRules(text: string): IpRule[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, lineNumber: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, lineNumber }) => {
      const match = RULE.exec(line);
      if (!match)
        throw new ParseError(
          'parseIpRules',
          'not a rule of the form "<prio>: [not] from <src> [to <dst>] [fwmark <m>] lookup <table>"',
          line,
          lineNumber,
        );
      return {
        priority: Number(match[1]),
        not: match[2] !== undefined,
        from: match[3] as string,
        to: match[4],
        fwmark: match[5],
        table: match[6] as string,
        text: line.replace(/\s+/g, ' ').trim(),
      };
    });
}
