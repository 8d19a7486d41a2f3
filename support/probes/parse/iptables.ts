/**
 * `iptables -t <table> -S [chain]` and `iptables-save -c` output: one rule per `-A` line,
 * tokenised as iptables quotes it (a comment with spaces is in double quotes), with the
 * matches kube-proxy's rules use pulled out. Policies and `-N` lines name the chains.
 */
import { ParseError } from './errors.ts';

export interface IptablesRule {
  chain: string;
  /** The arguments after `-A <chain>`, unquoted. */
  args: string[];
  /** The line as printed, without a counter prefix. */
  text: string;
  source?: string;
  sourceNegated?: boolean;
  destination?: string;
  protocol?: string;
  comment?: string;
  dport?: number;
  /** `-j` target. */
  jump?: string;
  /** `--to-destination` of a DNAT. */
  toDestination?: string;
  /** `--probability` of `-m statistic --mode random`, as printed. */
  probability?: string;
  /** `[packets:bytes]` of iptables-save -c. */
  packets?: number;
  bytes?: number;
}

export interface IptablesListing {
  /** Chains named by `-P`, `-N` or `:chain` lines, in order. */
  chains: string[];
  rules: IptablesRule[];
}

/** Splits a rule line into arguments; double-quoted words keep their spaces, `\"` is a quote. */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let token = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && line[i + 1] === '"') i++;
        token += line[i++];
      }
      if (i >= line.length) throw new Error('unterminated quote');
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') token += line[i++];
    }
    tokens.push(token);
  }
  return tokens;
}

function ruleOf(chain: string, args: string[], text: string): IptablesRule {
  const rule: IptablesRule = { chain, args, text };
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    const negated = args[i - 1] === '!';
    switch (args[i]) {
      case '-s':
        rule.source = next;
        rule.sourceNegated = negated;
        break;
      case '-d':
        rule.destination = next;
        break;
      case '-p':
        rule.protocol = next;
        break;
      case '--comment':
        rule.comment = next;
        break;
      case '--dport':
        rule.dport = Number(next);
        break;
      case '-j':
        rule.jump = next;
        break;
      case '--to-destination':
        rule.toDestination = next;
        break;
      case '--probability':
        rule.probability = next;
        break;
    }
  }
  return rule;
}

export function parseIptablesRules(text: string): IptablesListing {
  const chains: string[] = [];
  const rules: IptablesRule[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!line || line.startsWith('#') || line.startsWith('*') || line === 'COMMIT') return;
    let body = line;
    let counters: [number, number] | undefined;
    const counted = /^\[(\d+):(\d+)\] (.*)$/.exec(line);
    if (counted) {
      counters = [Number(counted[1]), Number(counted[2])];
      body = counted[3] as string;
    }
    if (body.startsWith(':')) {
      chains.push(body.slice(1).split(' ')[0] as string);
      return;
    }
    let tokens: string[];
    try {
      tokens = tokenize(body);
    } catch (error) {
      throw new ParseError('iptables', (error as Error).message, raw, index + 1);
    }
    const [flag, chain, ...args] = tokens;
    if ((flag === '-P' || flag === '-N') && chain) {
      chains.push(chain);
      return;
    }
    if (flag !== '-A' || !chain) throw new ParseError('iptables', 'expected a -P, -N or -A line', raw, index + 1);
    const rule = ruleOf(chain, args, body);
    if (counters) [rule.packets, rule.bytes] = counters;
    rules.push(rule);
  });
  return { chains, rules };
}

export function rulesOfChain(listing: IptablesListing, chain: string): IptablesRule[] {
  return listing.rules.filter((rule) => rule.chain === chain);
}
