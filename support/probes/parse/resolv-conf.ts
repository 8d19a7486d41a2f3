import { ParseError } from './errors.ts';

export interface ResolvConf {
  nameservers: string[];
  /** The search list; like the resolver, a later `search` or `domain` line replaces an earlier one. */
  search: string[];
  /** `options ndots:5 rotate` → `{ ndots: '5', rotate: true }`; later lines add to earlier ones. */
  options: Record<string, string | true>;
}

const PARSER = 'parseResolvConf';

/** Parses /etc/resolv.conf. An empty file is valid; a line with an unknown keyword is not. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: {} };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const [keyword = '', ...values] = line.split(/\s+/);
    const fail = (reason: string): never => {
      throw new ParseError(PARSER, reason, raw, i + 1);
    };
    switch (keyword) {
      case 'nameserver':
        conf.nameservers.push(values[0] ?? fail('"nameserver" without an address'));
        break;
      case 'search':
      case 'domain':
        conf.search = values;
        break;
      case 'options':
        for (const option of values) {
          const colon = option.indexOf(':');
          if (colon < 0) conf.options[option] = true;
          else conf.options[option.slice(0, colon)] = option.slice(colon + 1);
        }
        break;
      case 'sortlist':
        break;
      default:
        fail(`unknown keyword "${keyword}"`);
    }
  });
  return conf;
}
