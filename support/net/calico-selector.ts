/**
 * Calico's label selectors, the subset the course's BGPPeers and IPPools use: `all()`,
 * `k == 'v'`, `k != 'v'`, `has(k)`, `!has(k)`, joined with `&&` or `||` (no parentheses).
 * Follows the grammar of libcalico-go/lib/selector/parser (Calico v3.30.0); anything outside
 * this subset is refused rather than guessed.
 */

type Labels = Record<string, string>;
type Term = (labels: Labels) => boolean;

const TERM_PATTERNS: [RegExp, (match: RegExpExecArray) => Term][] = [
  [/^all\(\)$/, () => () => true],
  [/^has\(\s*([\w./-]+)\s*\)$/, (m) => (labels) => (m[1] as string) in labels],
  [/^!\s*has\(\s*([\w./-]+)\s*\)$/, (m) => (labels) => !((m[1] as string) in labels)],
  [/^([\w./-]+)\s*==\s*(['"])(.*)\2$/, (m) => (labels) => labels[m[1] as string] === m[3]],
  [/^([\w./-]+)\s*!=\s*(['"])(.*)\2$/, (m) => (labels) => labels[m[1] as string] !== m[3]],
];

function compileTerm(text: string, selector: string): Term {
  const trimmed = text.trim();
  for (const [pattern, build] of TERM_PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match) return build(match);
  }
  throw new Error(
    `selector "${selector}": "${trimmed}" is not supported by the lab (all(), k == 'v', k != 'v', has(k), !has(k), && and ||)`,
  );
}

/** Compiles a selector into a predicate over a node's (or pod's) labels; `||` binds looser than `&&`. */
export function compileSelector(selector: string): (labels: Labels) => boolean {
  if (/[()]/.test(selector.replace(/all\(\)|has\([^)]*\)/g, ''))) {
    throw new Error(`selector "${selector}": parentheses are not supported by the lab`);
  }
  const alternatives = selector.split('||').map((part) => part.split('&&').map((term) => compileTerm(term, selector)));
  return (labels) => alternatives.some((terms) => terms.every((term) => term(labels)));
}

export function selects(selector: string, labels: Labels): boolean {
  return compileSelector(selector)(labels);
}
