/**
 * `iptables -S <chain>` (and `-t nat -S …`): one rule per line, as iptables prints them. Each
 * rule keeps its words as iptables quoted them, with the matches it has and its target.
 */
import { ParseError } from './errors.ts';

export interface IptablesRule {
  chain: string;
  /** The words after `-A <chain>`, comments included. */
  words: string[];
  /** `-j` target (MASQUERADE, RETURN, a chain). */
  target: string | undefined;
  /** `-m set --match-set <name> <dir>` matches, `negated` for `! --match-set`. */
  sets: { name: string; direction: string; negated: boolean }[];
}

/** Splits a rule line into words, keeping "quoted strings" whole (comments). */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) => match[1] ?? (match[2] as string));
}

export function parseIptablesRules(text: string): IptablesRule[] {
  const rules: IptablesRule[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (line.startsWith('-N ') || line.startsWith('-P ')) continue;
    if (!line.startsWith('-A ')) throw new ParseError('parseIptablesRules', 'not a line of iptables -S', line);
    const all = words(line);
    const chain = all[1] as string;
    const rest = all.slice(2);
    const sets: IptablesRule['sets'] = [];
    rest.forEach((word, index) => {
      if (word !== '--match-set') return;
      sets.push({ name: rest[index + 1] as string, direction: rest[index + 2] as string, negated: rest[index - 1] === '!' });
    });
    const jump = rest.indexOf('-j');
    rules.push({ chain, words: rest, target: jump >= 0 ? rest[jump + 1] : undefined, sets });
  }
  return rules;
}
