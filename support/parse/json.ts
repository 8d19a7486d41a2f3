import { ParseError } from './errors.ts';

export type JsonObject = Record<string, unknown>;

/** iproute2's `-j` output starts with `[` (or `{` for a few subcommands); its text never does. */
export function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '[' || first === '{';
}

/** Parses `ip -j …` output into its array of objects, or throws a ParseError naming `parser`. */
export function parseJsonArray(parser: string, text: string): JsonObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(parser, `invalid JSON (${(error as Error).message})`, text);
  }
  if (!Array.isArray(value)) throw new ParseError(parser, 'expected a JSON array', text);
  return value.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ParseError(parser, `element ${i} is not an object`, JSON.stringify(item));
    }
    return item as JsonObject;
  });
}

/** Parses a JSON document that must be one object (a CNI configuration file), or throws a ParseError naming `parser`. */
export function parseJsonObject(parser: string, text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(parser, `invalid JSON (${(error as Error).message})`, text);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ParseError(parser, 'expected a JSON object', text);
  return value as JsonObject;
}

/**
 * Splits output that holds `count` JSON documents one after another (vtysh given several `-c`
 * commands prints each answer in turn), returning each document's text; anything else between
 * or around them, or another number of them, is refused.
 */
export function splitJsonDocuments(parser: string, text: string, count: number): string[] {
  const documents: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"' && depth > 0) inString = true;
    else if (char === '{' || char === '[') {
      if (depth++ === 0) start = i;
    } else if (char === '}' || char === ']') {
      if (depth === 0) throw new ParseError(parser, `a closing "${char}" outside any document, at offset ${i}`, text);
      if (--depth === 0) documents.push(text.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(char)) {
      throw new ParseError(parser, `text outside the JSON documents at offset ${i}: ${JSON.stringify(text.slice(i, i + 60))}`, text);
    }
  }
  if (depth !== 0) throw new ParseError(parser, 'the last document is cut short', text);
  if (documents.length !== count) throw new ParseError(parser, `expected ${count} JSON documents, found ${documents.length}`, text);
  return documents;
}

/** Typed field readers: a present field of the wrong type is an error, an absent one is undefined. */
export class JsonFields {
  constructor(
    private readonly parser: string,
    private readonly obj: JsonObject,
  ) {}

  private fail(key: string, expected: string): never {
    throw new ParseError(this.parser, `field "${key}" is not ${expected}`, JSON.stringify(this.obj));
  }

  optString(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    // iproute2 prints unnamed protocols and tables as numbers in some versions, strings in others.
    if (typeof v === 'number') return String(v);
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  string(key: string): string {
    return this.optString(key) ?? this.fail(key, 'present');
  }

  optNumber(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a number');
  }

  number(key: string): number {
    return this.optNumber(key) ?? this.fail(key, 'present');
  }

  strings(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    return this.fail(key, 'an array of strings');
  }

  objects(key: string): JsonObject[] | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((o) => o !== null && typeof o === 'object' && !Array.isArray(o))) {
      return v as JsonObject[];
    }
    return this.fail(key, 'an array of objects');
  }
}
