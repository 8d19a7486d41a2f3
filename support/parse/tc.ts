/**
 * Traffic control as iproute2's `tc -j` prints it: qdiscs (`tc -j [-s] qdisc show dev <dev>`),
 * filters (`tc -j filter show dev <dev> ingress`), and the IFB devices (`ip -j link show type
 * ifb`). Strict: a key the parser does not know is an error naming the element and the key, so
 * that an output of another shape is never read as "no shaping". Checked against iproute2
 * 6.1.0 (`tc -j`, `tc -j -s`; tbf, ingress, noqueue, u32 with a mirred action; ifb links).
 */
import { ParseError } from './errors.ts';
import { JsonFields, parseJsonArray, type JsonObject } from './json.ts';

export interface Qdisc {
  kind: string;
  handle: string;
  dev: string | undefined;
  root: boolean;
  parent: string | undefined;
  /** tbf: bytes/s. */
  rate: number | undefined;
  /** tbf: bytes. */
  burst: number | undefined;
  /** With -s: what the qdisc sent and how often it had to hold packets back. */
  stats: { bytes: number; packets: number; drops: number; overlimits: number; backlog: number; qlen: number } | undefined;
}

export interface Mirred {
  /** `redirect` or `mirror`. */
  action: string;
  /** `egress` or `ingress`. */
  direction: string;
  toDev: string;
}

export interface Filter {
  parent: string;
  protocol: string;
  pref: number;
  kind: string;
  /** u32: the handle of the entry (`800::800`); absent on the filter's header entries. */
  handle: string | undefined;
  flowid: string | undefined;
  /** u32: value/mask of the entry's match (`0`/`0`: every packet). */
  match: { value: string; mask: string } | undefined;
  mirred: Mirred[];
}

export interface IfbDevice {
  name: string;
  mtu: number;
  flags: string[];
  operState: string;
}

function allowOnly(parser: string, obj: JsonObject, keys: readonly string[], where: string): void {
  const unknown = Object.keys(obj).filter((key) => !keys.includes(key));
  if (unknown.length) throw new ParseError(parser, `${where} has key(s) it does not know: ${unknown.join(', ')}`, JSON.stringify(obj));
}

const QDISC_KEYS = [
  'kind',
  'handle',
  'dev',
  'root',
  'refcnt',
  'parent',
  'options',
  'bytes',
  'packets',
  'drops',
  'overlimits',
  'requeues',
  'backlog',
  'qlen',
];
const TBF_OPTIONS = ['rate', 'burst', 'lat', 'limit', 'peakrate', 'mtu', 'minburst', 'linklayer'];

export function parseTcQdiscs(text: string): Qdisc[] {
  const parser = 'parseTcQdiscs';
  return parseJsonArray(parser, text).map((entry, index) => {
    allowOnly(parser, entry, QDISC_KEYS, `qdisc ${index}`);
    const fields = new JsonFields(parser, entry);
    const kind = fields.string('kind');
    const options = (entry.options ?? {}) as JsonObject;
    if (typeof options !== 'object' || Array.isArray(options))
      throw new ParseError(parser, `qdisc ${index}: "options" is not an object`, JSON.stringify(entry));
    if (kind === 'tbf') allowOnly(parser, options, TBF_OPTIONS, `qdisc ${index} (tbf) options`);
    else if (Object.keys(options).length > 0 && (kind === 'noqueue' || kind === 'ingress'))
      throw new ParseError(parser, `qdisc ${index} (${kind}) has options`, JSON.stringify(entry));
    const opts = new JsonFields(parser, options);
    const bytes = fields.optNumber('bytes');
    return {
      kind,
      handle: fields.string('handle'),
      dev: fields.optString('dev'),
      root: entry.root === true,
      parent: fields.optString('parent'),
      rate: kind === 'tbf' ? opts.number('rate') : undefined,
      burst: kind === 'tbf' ? opts.number('burst') : undefined,
      stats:
        bytes === undefined
          ? undefined
          : {
              bytes,
              packets: fields.number('packets'),
              drops: fields.number('drops'),
              overlimits: fields.number('overlimits'),
              backlog: fields.number('backlog'),
              qlen: fields.number('qlen'),
            },
    };
  });
}

const FILTER_KEYS = ['parent', 'protocol', 'pref', 'kind', 'chain', 'options'];
const U32_OPTIONS = ['fh', 'ht_divisor', 'order', 'key_ht', 'bkt', 'flowid', 'not_in_hw', 'in_hw', 'match', 'actions', 'terminal'];
const MIRRED_KEYS = ['order', 'kind', 'mirred_action', 'direction', 'to_dev', 'control_action', 'index', 'ref', 'bind'];

function mirredOf(parser: string, action: JsonObject, where: string): Mirred | undefined {
  const fields = new JsonFields(parser, action);
  if (fields.string('kind') !== 'mirred') return undefined;
  allowOnly(parser, action, MIRRED_KEYS, where);
  return { action: fields.string('mirred_action'), direction: fields.string('direction'), toDev: fields.string('to_dev') };
}

export function parseTcFilters(text: string): Filter[] {
  const parser = 'parseTcFilters';
  return parseJsonArray(parser, text).map((entry, index) => {
    allowOnly(parser, entry, FILTER_KEYS, `filter ${index}`);
    const fields = new JsonFields(parser, entry);
    const kind = fields.string('kind');
    const options = (entry.options ?? {}) as JsonObject;
    if (kind === 'u32') allowOnly(parser, options, U32_OPTIONS, `filter ${index} (u32) options`);
    const opts = new JsonFields(parser, options);
    const match = options.match as JsonObject | undefined;
    const actions = opts.objects('actions') ?? [];
    return {
      parent: fields.string('parent'),
      protocol: fields.string('protocol'),
      pref: fields.number('pref'),
      kind,
      handle: opts.optString('fh'),
      flowid: opts.optString('flowid'),
      match: match
        ? { value: new JsonFields(parser, match).string('value'), mask: new JsonFields(parser, match).string('mask') }
        : undefined,
      mirred: actions.flatMap((action, n) => mirredOf(parser, action, `filter ${index} action ${n}`) ?? []),
    };
  });
}

export function parseIfbDevices(text: string): IfbDevice[] {
  const parser = 'parseIfbDevices';
  return parseJsonArray(parser, text).map((entry) => {
    const fields = new JsonFields(parser, entry);
    return {
      name: fields.string('ifname'),
      mtu: fields.number('mtu'),
      flags: fields.strings('flags'),
      operState: fields.string('operstate'),
    };
  });
}
