const EXCERPT_MAX = 160;

/** Shortens text for a message: one line, visible whitespace, bounded length. */
export function excerptOf(text: string, max = EXCERPT_MAX): string {
  const flat = JSON.stringify(text);
  return flat.length <= max ? flat : `${flat.slice(0, max - 4)}…"`;
}

/**
 * Thrown when a command's output is not what the parser was told it is. The message names
 * the parser, what was wrong and where, and quotes the offending input, so that a failed
 * probe reads as "this output is broken", never as a network finding.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  /** The offending line, or the start of the input when no single line is to blame. */
  readonly excerpt: string;

  constructor(
    readonly parser: string,
    readonly reason: string,
    input: string,
    readonly lineNumber?: number,
  ) {
    const where = lineNumber === undefined ? 'input' : `line ${lineNumber}`;
    super(`${parser}: ${reason} (${where}: ${excerptOf(input)})`);
    this.excerpt = input.length > EXCERPT_MAX ? input.slice(0, EXCERPT_MAX) : input;
  }
}
