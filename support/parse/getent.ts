/**
 * `getent hosts <name>` (glibc 2.36's getent): one line per address, `<address>` padded with
 * spaces, then the canonical name and any aliases. An address that is not one, or a line
 * without a name, is an error naming the line.
 */
import { familyOf } from './address.ts';
import { ParseError } from './errors.ts';

export function parseGetentHosts(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((raw, index) => {
    const [address, name] = raw.trim().split(/\s+/);
    if (address === undefined || familyOf(address) === undefined || !name)
      throw new ParseError('parseGetentHosts', 'not "<address> <name> [aliases…]"', raw, index + 1);
    return address;
  });
}
