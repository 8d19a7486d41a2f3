/**
 * What a parameter type accepts, in words: the phrases of an alternation like {placement}'s
 * ("a worker node", "another worker node", …), else its regular expression; and a value that
 * a synthesized example can put in its place.
 */
import type { ParameterTypeView } from './suite.ts';

const BUILT_IN: Record<string, { accepts: string; sample: string }> = {
  int: { accepts: 'a whole number', sample: '2' },
  byte: { accepts: 'a whole number', sample: '2' },
  short: { accepts: 'a whole number', sample: '2' },
  long: { accepts: 'a whole number', sample: '2' },
  biginteger: { accepts: 'a whole number', sample: '2' },
  float: { accepts: 'a decimal number', sample: '1.5' },
  double: { accepts: 'a decimal number', sample: '1.5' },
  bigdecimal: { accepts: 'a decimal number', sample: '1.5' },
  word: { accepts: 'one word, no spaces', sample: 'word' },
  string: { accepts: 'any text in double quotes', sample: '"pod"' },
  '': { accepts: 'anything', sample: 'anything' },
};

/** Stands for a quoted name in a phrase: `the node of "…"`. */
export const QUOTED_NAME = '"…"';

export interface ParameterWords {
  /** The phrases it accepts, when its regular expression is an alternation of phrases. */
  phrases: string[] | undefined;
  /** Its regular expression, when it is not made of phrases. */
  pattern: string | undefined;
  /** One line of plain text. */
  description: string;
}

export function describeParameterType(type: ParameterTypeView): ParameterWords {
  const builtIn = type.builtin ? BUILT_IN[type.name] : undefined;
  if (builtIn) return { phrases: undefined, pattern: undefined, description: builtIn.accepts };
  const phrases = phrasesOf(type.regexps);
  if (phrases) return { phrases, pattern: undefined, description: `one of ${phrases.join(' | ')}` };
  const pattern = `/${type.regexps.join('|')}/`;
  return { phrases: undefined, pattern, description: `text matching ${pattern}` };
}

/**
 * A value the type accepts, for a synthesized example: a phrase of the type, else the first
 * value the features use, else a plain word the pattern accepts.
 */
export function sampleValue(type: ParameterTypeView, usedValues: readonly string[]): string | undefined {
  const builtIn = type.builtin ? BUILT_IN[type.name] : undefined;
  if (builtIn) return builtIn.sample;
  const phrase = phrasesOf(type.regexps)?.[0];
  if (phrase !== undefined) return phrase.replace(QUOTED_NAME, '"x"');
  const candidates = [...usedValues, 'example', 'x', '1'];
  return candidates.find((candidate) => type.regexps.some((regexp) => new RegExp(`^(?:${regexp})$`).test(candidate)));
}

/** The phrases of a regular expression made only of literal alternatives, else undefined. */
export function phrasesOf(regexps: readonly string[]): string[] | undefined {
  const phrases: string[] = [];
  for (const regexp of regexps) {
    for (const alternative of splitAlternatives(regexp)) {
      const phrase = literalPhrase(alternative);
      if (phrase === undefined) return undefined;
      phrases.push(phrase);
    }
  }
  return phrases.length > 0 ? phrases : undefined;
}

function splitAlternatives(regexp: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < regexp.length; i++) {
    const char = regexp[i];
    if (char === '\\') i++;
    else if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth--;
    else if (char === '|' && depth === 0) {
      alternatives.push(regexp.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(regexp.slice(start));
  return alternatives;
}

const QUOTED_ANYTHING = /^"\[\^"\][+*]"/;
const CLASS_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W', 'b', 'B']);

function literalPhrase(alternative: string): string | undefined {
  let phrase = '';
  for (let i = 0; i < alternative.length; i++) {
    const char = alternative[i] as string;
    const quoted = QUOTED_ANYTHING.exec(alternative.slice(i));
    if (quoted) {
      phrase += QUOTED_NAME;
      i += quoted[0].length - 1;
    } else if (char === '\\') {
      const next = alternative[++i];
      if (next === undefined || CLASS_ESCAPES.has(next)) return undefined;
      phrase += next;
    } else if ('.*+?()[]{}^$|'.includes(char)) {
      return undefined;
    } else {
      phrase += char;
    }
  }
  return phrase;
}
