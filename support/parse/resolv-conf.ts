/**
 * /etc/resolv.conf as the stub resolver reads it. Checked against resolv.conf(5) of glibc 2.36
 * (Debian 12) and its res_init.c: a keyword counts only at the very start of a line and followed
 * by a space or tab (`  nameserver …` is ignored by the resolver, so it is refused here rather
 * than read); `#` or `;` in the first column starts a comment; `domain` and `search` replace each
 * other (the last one wins); `options` add up. The files met: Kubernetes' (kubelet: `search …`,
 * `nameserver …`, `options ndots:5`), Docker's and Kind's node file (comments, `options edns0
 * trust-ad ndots:0`), the lab's. Options are glibc's documented ones; any other is refused.
 */
import { familyOf } from './address.ts';
import { ParseError } from './errors.ts';

export interface ResolvConf {
  nameservers: string[];
  /** The search list; like the resolver, a later `search` or `domain` line replaces an earlier one. */
  search: string[];
  /** `options ndots:5 rotate` → `{ ndots: '5', rotate: true }`; later lines add to earlier ones. */
  options: Record<string, string | true>;
}

const PARSER = 'parseResolvConf';

/** glibc's options (resolv.conf(5)): the ones that take `:n` and the flags. */
const NUMERIC_OPTIONS = new Set(['ndots', 'timeout', 'attempts']);
const FLAG_OPTIONS = new Set([
  'debug',
  'rotate',
  'no-check-names',
  'inet6',
  'ip6-bytestring',
  'ip6-dotint',
  'no-ip6-dotint',
  'edns0',
  'single-request',
  'single-request-reopen',
  'no-tld-query',
  'use-vc',
  'no-reload',
  'trust-ad',
  'no-aaaa',
]);

/** Parses /etc/resolv.conf. An empty file is valid; a line the resolver would not read as written is not. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: {} };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#') || line.startsWith(';')) return;
    const fail = (reason: string): never => {
      throw new ParseError(PARSER, reason, raw, i + 1);
    };
    if (/^\s/.test(line)) fail('a line that starts with blanks, which the resolver ignores');
    const [keyword = '', ...values] = line.trim().split(/\s+/);
    switch (keyword) {
      case 'nameserver': {
        if (values.length === 0) fail('"nameserver" without an address');
        if (values.length > 1) fail(`"nameserver" takes one address, not ${values.length} words`);
        const address = values[0] as string;
        // An IPv6 address may carry its zone (`fe80::1%eth0`).
        if (familyOf(address.replace(/%[\w.-]+$/, '')) === undefined) fail(`"${address}" is not an IP address`);
        conf.nameservers.push(address);
        break;
      }
      case 'search':
        if (values.length === 0) fail('"search" without a domain');
        conf.search = values;
        break;
      case 'domain':
        if (values.length !== 1) fail(`"domain" takes one name, not ${values.length}`);
        conf.search = values;
        break;
      case 'options':
        for (const option of values) {
          const colon = option.indexOf(':');
          const name = colon < 0 ? option : option.slice(0, colon);
          const value = colon < 0 ? undefined : option.slice(colon + 1);
          if (NUMERIC_OPTIONS.has(name) && value !== undefined && /^\d+$/.test(value)) conf.options[name] = value;
          else if (FLAG_OPTIONS.has(name) && value === undefined) conf.options[name] = true;
          else fail(`option "${option}" is not one of resolv.conf(5)'s`);
        }
        break;
      case 'sortlist':
        if (!values.every((pair) => /^[\d.]+(?:\/[\d.]+)?$/.test(pair))) fail('"sortlist" with something other than address/netmask pairs');
        break;
      default:
        fail(`unknown keyword "${keyword}"`);
    }
  });
  return conf;
}
