/**
 * The rules iptables prints: `iptables [-t <table>] [-v] -S [chain]` and `iptables-save [-c]
 * [-t <table>]`, for ip6tables the same. One parser, one rule type, for every caller.
 *
 * Checked against iptables 1.8.9, both backends (`iptables-nft`, `iptables-legacy`), IPv4 and
 * IPv6: `-S`, `-v -S` (counters as `-c <packets> <bytes>` before the target), `iptables-save`
 * of every table (`*table` … `COMMIT` per table, `#` comment lines), `iptables-save -c`
 * (`[packets:bytes]` before each rule and chain). The grammar is iptables' own:
 * - a word is quoted by xtables_save_string when it holds anything but `[A-Za-z0-9_-]`, and
 *   inside the quotes `"`, `\` and `'` are escaped with a backslash;
 * - `!` before an option negates it (`! -d 127.0.0.0/8`, `-m set ! --match-set …`);
 * - each option belongs to the match (`-m`) or target (`-j`) printed before it, and takes the
 *   number of words its extension prints (OPTIONS below; an option that is not there is an error:
 *   its word count is unknown, so nothing after it could be read with confidence).
 * Anything else (`iptables -L` output, a line outside a table, a missing COMMIT) is an error
 * naming the line.
 */
import { ParseError } from './errors.ts';

const PARSER = 'iptables';

export interface IptablesRule {
  /** The table of an `iptables-save` dump (`*nat`); undefined for `-S`, whose caller named it. */
  table?: string;
  chain: string;
  /** The words after `-A <chain>`, unquoted and unescaped, counters (`-c p b`) left out. */
  args: string[];
  /** The rule as printed (quotes and escapes kept), without counters. */
  text: string;
  /** Positive matches only: a negated one (`! -s x`) is in the `not…` field instead. */
  source?: string;
  notSource?: string;
  destination?: string;
  notDestination?: string;
  protocol?: string;
  notProtocol?: string;
  inInterface?: string;
  notInInterface?: string;
  outInterface?: string;
  notOutInterface?: string;
  /** `--dport` of tcp, udp or sctp, as printed (`80`, `1000:2000`). */
  dport?: string;
  notDport?: string;
  /** The comment, unescaped, when the rule has exactly one (`comments` holds them all). */
  comment?: string;
  comments: string[];
  /** `-m set [!] --match-set <name> <src|dst|src,dst…>` matches. */
  sets: { name: string; direction: string; negated: boolean }[];
  /** `-j` target (a chain or an extension). */
  jump?: string;
  /** `-g` chain. */
  goto?: string;
  /** `--to-destination` of DNAT. */
  toDestination?: string;
  /** `--to-source` of SNAT. */
  toSource?: string;
  /** `--probability` of `-m statistic --mode random`, as printed. */
  probability?: string;
  /** `[packets:bytes]` of `iptables-save -c`, or `-c packets bytes` of `-v -S`. */
  packets?: number;
  bytes?: number;
}

export interface IptablesChain {
  table?: string;
  name: string;
  /** ACCEPT, DROP… for a built-in chain; undefined for a user chain (`-N`, `:name -`). */
  policy?: string;
}

export interface IptablesListing {
  /** The tables of an `iptables-save` dump, in order; empty for `-S`. */
  tables: string[];
  /** Chains named by `-P`, `-N` or `:chain` lines, in order. */
  chains: IptablesChain[];
  rules: IptablesRule[];
}

/** Words each option takes, per match or target (from each extension's save function). */
const OPTIONS: Record<string, Record<string, number>> = {
  // `-m` matches
  comment: { '--comment': 1 },
  tcp: { '--sport': 1, '--dport': 1, '--tcp-flags': 2, '--syn': 0, '--tcp-option': 1 },
  udp: { '--sport': 1, '--dport': 1 },
  sctp: { '--sport': 1, '--dport': 1, '--chunk-types': 2 },
  multiport: { '--sports': 1, '--dports': 1, '--ports': 1 },
  mark: { '--mark': 1 },
  connmark: { '--mark': 1 },
  conntrack: Object.fromEntries(
    [
      '--ctstate',
      '--ctproto',
      '--ctorigsrc',
      '--ctorigdst',
      '--ctreplsrc',
      '--ctrepldst',
      '--ctorigsrcport',
      '--ctorigdstport',
      '--ctreplsrcport',
      '--ctrepldstport',
      '--ctstatus',
      '--ctexpire',
      '--ctdir',
    ].map((option) => [option, 1]),
  ),
  state: { '--state': 1 },
  addrtype: { '--src-type': 1, '--dst-type': 1, '--limit-iface-in': 0, '--limit-iface-out': 0 },
  set: {
    '--match-set': 2,
    '--return-nomatch': 0,
    '--update-counters': 0,
    '--update-subcounters': 0,
    '--packets-eq': 1,
    '--packets-lt': 1,
    '--packets-gt': 1,
    '--bytes-eq': 1,
    '--bytes-lt': 1,
    '--bytes-gt': 1,
  },
  statistic: { '--mode': 1, '--probability': 1, '--every': 1, '--packet': 1 },
  icmp: { '--icmp-type': 1 },
  icmp6: { '--icmpv6-type': 1 },
  limit: { '--limit': 1, '--limit-burst': 1 },
  mac: { '--mac-source': 1 },
  iprange: { '--src-range': 1, '--dst-range': 1 },
  physdev: { '--physdev-in': 1, '--physdev-out': 1, '--physdev-is-in': 0, '--physdev-is-out': 0, '--physdev-is-bridged': 0 },
  rpfilter: { '--loose': 0, '--validmark': 0, '--accept-local': 0, '--invert': 0 },
  pkttype: { '--pkt-type': 1 },
  length: { '--length': 1 },
  owner: { '--uid-owner': 1, '--gid-owner': 1, '--socket-exists': 0, '--suppl-groups': 0 },
  socket: { '--transparent': 0, '--nowildcard': 0, '--restore-skmark': 0 },
  u32: { '--u32': 1 },
  bpf: { '--bytecode': 1 },
  dscp: { '--dscp': 1, '--dscp-class': 1 },
  connlimit: { '--connlimit-upto': 1, '--connlimit-above': 1, '--connlimit-mask': 1, '--connlimit-saddr': 0, '--connlimit-daddr': 0 },
  devgroup: { '--src-group': 1, '--dst-group': 1 },
  policy: {
    '--dir': 1,
    '--pol': 1,
    '--strict': 0,
    '--reqid': 1,
    '--spi': 1,
    '--proto': 1,
    '--mode': 1,
    '--tunnel-src': 1,
    '--tunnel-dst': 1,
    '--next': 0,
  },
  // `-j` targets
  DNAT: { '--to-destination': 1, '--random': 0, '--persistent': 0 },
  SNAT: { '--to-source': 1, '--random': 0, '--random-fully': 0, '--persistent': 0 },
  MASQUERADE: { '--to-ports': 1, '--random': 0, '--random-fully': 0 },
  REDIRECT: { '--to-ports': 1, '--random': 0 },
  MARK: { '--set-xmark': 1, '--set-mark': 1, '--and-mark': 1, '--or-mark': 1, '--xor-mark': 1 },
  CONNMARK: {
    '--set-xmark': 1,
    '--set-mark': 1,
    '--and-mark': 1,
    '--or-mark': 1,
    '--xor-mark': 1,
    '--save-mark': 0,
    '--restore-mark': 0,
    '--nfmask': 1,
    '--ctmask': 1,
    '--mask': 1,
  },
  LOG: {
    '--log-level': 1,
    '--log-prefix': 1,
    '--log-tcp-sequence': 0,
    '--log-tcp-options': 0,
    '--log-ip-options': 0,
    '--log-uid': 0,
    '--log-macdecode': 0,
  },
  NFLOG: { '--nflog-group': 1, '--nflog-prefix': 1, '--nflog-range': 1, '--nflog-size': 1, '--nflog-threshold': 1 },
  REJECT: { '--reject-with': 1 },
  CT: {
    '--notrack': 0,
    '--zone': 1,
    '--helper': 1,
    '--ctevents': 1,
    '--expevents': 1,
    '--timeout': 1,
    '--zone-orig': 1,
    '--zone-reply': 1,
  },
  TCPMSS: { '--set-mss': 1, '--clamp-mss-to-pmtu': 0 },
  CHECKSUM: { '--checksum-fill': 0 },
  TPROXY: { '--on-port': 1, '--on-ip': 1, '--tproxy-mark': 1 },
  NFQUEUE: { '--queue-num': 1, '--queue-balance': 1, '--queue-bypass': 0, '--fail-open': 0, '--queue-cpu-fanout': 0 },
};

/** Options of the rule itself, before any `-m` (iptables' generic part). */
const GENERIC: Record<string, number> = { '-s': 1, '-d': 1, '-i': 1, '-o': 1, '-p': 1, '-f': 0 };

interface Word {
  value: string;
  start: number;
  end: number;
}

/** Escapes xtables_save_string writes inside quotes. */
const ESCAPED = new Set(['"', '\\', "'"]);

function words(line: string): Word[] {
  const found: Word[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    const start = i;
    let value = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          const escaped = line[i + 1];
          if (escaped === undefined || !ESCAPED.has(escaped))
            throw new Error(`a backslash before ${JSON.stringify(escaped ?? 'the end')}, which iptables never escapes`);
          i++;
        }
        value += line[i++];
      }
      if (i >= line.length) throw new Error('an unterminated quote');
      i++;
      if (i < line.length && line[i] !== ' ') throw new Error('text right after a closing quote');
    } else {
      while (i < line.length && line[i] !== ' ') {
        if (line[i] === '"' || line[i] === '\\') throw new Error(`a ${line[i]} inside an unquoted word`);
        value += line[i++];
      }
    }
    found.push({ value, start, end: i });
  }
  return found;
}

/** Splits a rule line into words as iptables-restore reads them: quoted words unescaped. */
export function tokenize(line: string): string[] {
  return words(line).map((word) => word.value);
}

const COUNT = /^\d+$/;

/** Reads the words after `-A <chain>`; throws Error with the reason (the caller names the line). */
function ruleOf(chain: string, body: string, all: Word[], table: string | undefined): IptablesRule {
  const rule: IptablesRule = { chain, args: [], text: body, comments: [], sets: [] };
  if (table !== undefined) rule.table = table;
  const cut: [number, number][] = [];
  let context: string | undefined;
  let target = false;
  let i = 2;
  const take = (count: number, option: string): string[] => {
    const values = all.slice(i + 1, i + 1 + count).map((word) => word.value);
    if (values.length < count) throw new Error(`${option} needs ${count} word(s)`);
    return values;
  };
  while (i < all.length) {
    let negated = false;
    if (all[i]?.value === '!') {
      negated = true;
      i++;
    }
    const option = all[i]?.value;
    if (option === undefined) throw new Error('a "!" at the end of the rule');
    if (option === '-c') {
      const [packets, bytes] = take(2, option);
      if (negated || !COUNT.test(packets ?? '') || !COUNT.test(bytes ?? '')) throw new Error('-c needs two counts');
      rule.packets = Number(packets);
      rule.bytes = Number(bytes);
      cut.push([all[i - 1]?.end ?? all[i]!.start, all[i + 2]!.end]);
      i += 3;
      continue;
    }
    if (option === '-m' || option === '-j' || option === '-g') {
      if (negated) throw new Error(`"!" before ${option}`);
      if (target) throw new Error(`${option} after the target`);
      const [name] = take(1, option);
      context = name as string;
      if (option === '-m' && !(context in OPTIONS)) throw new Error(`match -m ${context}, whose options this parser does not know`);
      if (option === '-j') rule.jump = context;
      if (option === '-g') rule.goto = context;
      target = option !== '-m';
      i += 2;
      continue;
    }
    const known = context === undefined ? GENERIC : OPTIONS[context];
    const arity = known?.[option];
    if (arity === undefined) {
      throw new Error(
        context === undefined
          ? `${option} is not an option iptables prints before a match`
          : `${option} is not an option of ${target ? `target ${context}` : `match ${context}`} this parser knows`,
      );
    }
    const values = take(arity, option);
    const [value] = values;
    switch (context === undefined ? option : `${context} ${option}`) {
      case '-s':
        rule[negated ? 'notSource' : 'source'] = value;
        break;
      case '-d':
        rule[negated ? 'notDestination' : 'destination'] = value;
        break;
      case '-p':
        rule[negated ? 'notProtocol' : 'protocol'] = value;
        break;
      case '-i':
        rule[negated ? 'notInInterface' : 'inInterface'] = value;
        break;
      case '-o':
        rule[negated ? 'notOutInterface' : 'outInterface'] = value;
        break;
      case 'tcp --dport':
      case 'udp --dport':
      case 'sctp --dport':
        rule[negated ? 'notDport' : 'dport'] = value;
        break;
      case 'comment --comment':
        rule.comments.push(value as string);
        break;
      case 'set --match-set':
        rule.sets.push({ name: value as string, direction: values[1] as string, negated });
        break;
      case 'statistic --probability':
        rule.probability = value;
        break;
      case 'DNAT --to-destination':
        rule.toDestination = value;
        break;
      case 'SNAT --to-source':
        rule.toSource = value;
        break;
    }
    i += 1 + arity;
  }
  if (rule.comments.length === 1) rule.comment = rule.comments[0];
  let text = body;
  for (const [from, to] of cut.reverse()) text = text.slice(0, from) + text.slice(to);
  rule.text = text;
  const kept = all.slice(2).filter((word) => !cut.some(([from, to]) => word.start >= from && word.end <= to));
  rule.args = kept.map((word) => word.value);
  return rule;
}

const CHAIN_NAME = /^[^\s!"]+$/;

/**
 * Reads `iptables -S`, `-v -S` or `iptables-save [-c]` output (see the file's comment). A dump
 * of several tables keeps each rule's and chain's table.
 */
export function parseIptablesRules(text: string): IptablesListing {
  const tables: string[] = [];
  const chains: IptablesChain[] = [];
  const rules: IptablesRule[] = [];
  // Set by the first line only one form prints (`-A` lines are in both).
  let format: 'save' | 'S' | undefined;
  let table: string | undefined;
  let lastTableLine = 0;
  // No text at all is no rules: `iptables-save` without -t prints nothing where no table is in use
  // (iptables 1.8.9, nf_tables and legacy, in a new network namespace). `-S` always prints the -P lines.
  const lines = text === '' ? [] : text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const fail = (reason: string): never => {
      throw new ParseError(PARSER, reason, raw, index + 1);
    };
    const line = raw.trimEnd();
    if (line === '') fail('an empty line, which iptables never prints');
    if (line.startsWith('#')) return;
    const save = line.startsWith('*') || line.startsWith(':') || line === 'COMMIT' || line.startsWith('[');
    const form = save ? 'save' : /^-[PN] /.test(line) ? 'S' : undefined;
    if (format === undefined) format = form;
    else if (form !== undefined && format !== form)
      fail(`a line of ${form === 'save' ? 'iptables-save' : 'iptables -S'} among lines of the other form`);
    if (line.startsWith('*')) {
      if (table !== undefined) fail(`table ${line.slice(1)} starts before table ${table}'s COMMIT`);
      table = line.slice(1);
      if (!/^[a-z]+$/.test(table)) fail('a table name other than lower-case letters');
      if (tables.includes(table)) fail(`table ${table} a second time`);
      tables.push(table);
      lastTableLine = index + 1;
      return;
    }
    if (line === 'COMMIT') {
      if (table === undefined) fail('COMMIT outside a table');
      table = undefined;
      return;
    }
    if (format === 'save' && table === undefined) fail('a line outside a table (no *table before it)');
    let body = line;
    let counters: [number, number] | undefined;
    if (line.startsWith(':')) {
      const chain = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/.exec(line);
      if (!chain) fail('expected ":<chain> <policy> [<packets>:<bytes>]"');
      const policy = chain![2] as string;
      chains.push({ table, name: chain![1] as string, ...(policy === '-' ? {} : { policy }) });
      return;
    }
    const counted = /^\[(\d+):(\d+)\] (.*)$/.exec(line);
    if (counted) {
      counters = [Number(counted[1]), Number(counted[2])];
      body = counted[3] as string;
    } else if (line.startsWith('[')) fail('expected "[<packets>:<bytes>] -A …"');
    let all: Word[];
    try {
      all = words(body);
    } catch (error) {
      return fail((error as Error).message);
    }
    const [flag, chain] = all.map((word) => word.value);
    if (!['-A', '-N', '-P'].includes(flag ?? '') || chain === undefined || !CHAIN_NAME.test(chain))
      return fail('expected a -P, -N or -A line with a chain name');
    if (flag === '-A') {
      let rule: IptablesRule;
      try {
        rule = ruleOf(chain, body, all, table);
      } catch (error) {
        return fail((error as Error).message);
      }
      if (counters) {
        if (rule.packets !== undefined) fail('counters twice');
        [rule.packets, rule.bytes] = counters;
      }
      rules.push(rule);
      return;
    }
    if (format === 'save') fail('expected -A in a table (chains are ":<chain>" lines)');
    const rest = all.slice(2).map((word) => word.value);
    if (flag === '-N' && rest.length === 0) chains.push({ name: chain });
    else if (
      flag === '-P' &&
      (rest.length === 1 || (rest.length === 4 && rest[1] === '-c' && COUNT.test(rest[2] ?? '') && COUNT.test(rest[3] ?? '')))
    )
      chains.push({ name: chain, policy: rest[0] as string });
    else fail('expected "-N <chain>", "-P <chain> <policy> [-c <packets> <bytes>]" or "-A <chain> …"');
  });
  if (table !== undefined)
    throw new ParseError(PARSER, `table ${table} has no COMMIT (the output was cut off?)`, `*${table}`, lastTableLine);
  return { tables, chains, rules };
}

/**
 * The rules of one chain. A dump of several tables needs the table: chain names repeat across
 * tables (PREROUTING is in nat, mangle and raw).
 */
export function rulesOfChain(listing: IptablesListing, chain: string, table?: string): IptablesRule[] {
  if (table === undefined && listing.tables.length > 1)
    throw new Error(`rulesOfChain: the listing holds tables ${listing.tables.join(', ')}; name the table of ${chain}`);
  return listing.rules.filter((rule) => rule.chain === chain && (table === undefined || rule.table === table));
}
