/** The head of an HTTP/1.x response as a raw TCP client prints it: the status line and the headers. */
import { ParseError } from './errors.ts';

export interface HttpResponseHead {
  statusLine: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

export function parseHttpResponse(text: string): HttpResponseHead {
  const lines = text.split(/\r?\n/);
  const statusLine = (lines[0] ?? '').trim();
  const status = /^HTTP\/\d\.\d (\d{3})\b/.exec(statusLine);
  if (!status) throw new ParseError('http-response', 'no HTTP status line', text, 1);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusLine, status: Number(status[1]), headers };
}
