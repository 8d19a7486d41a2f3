/**
 * The head of an HTTP/1.x response as a raw TCP client (`nc`, telnet) or `curl -sS -i` / `-I`
 * prints it: the status line `HTTP/1.x NNN reason`, `Name: value` header lines (RFC 9112 §4,
 * §5; a name is an RFC 9110 token), the empty line; the body, if any, follows and is not read.
 *
 * Checked against curl 7.88.1 (`curl -V`) with `-sS -i`, `-sS -I`, `-i --http1.0`, `-i -L`, and
 * `nc` sending `GET / HTTP/1.0`, to nginx 1.22.1 over IPv4 and IPv6 (200, 301, 404; fixtures
 * netns-h24c-{curl,nc}-*). Interim 1xx heads (`100 Continue`) before the final one are passed
 * over, as HTTP says; a second final head (a redirect `curl -L` followed) is refused, since which
 * response is meant is not the reader's to guess; so are an HTTP/2 or HTTP/3 status line (`curl`
 * prints `HTTP/2 200`), a folded header line (obsolete line folding), a line that is not a header,
 * and a head that never ends (a reply cut off).
 */
import { ParseError } from './errors.ts';

export interface HttpResponseHead {
  statusLine: string;
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
}

const PARSER = 'http-response';
const STATUS = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

export function parseHttpResponse(text: string): HttpResponseHead {
  const lines = text.split(/\r?\n/);
  let at = 0;
  for (;;) {
    const head = readHead(lines, at);
    if (head.status >= 200 || head.status < 100) {
      const next = lines[head.end];
      if (next !== undefined && /^HTTP\/\d/.test(next)) {
        throw new ParseError(
          PARSER,
          'a second response head after the first (curl -L following a redirect?): which one is meant is not known',
          next,
          head.end + 1,
        );
      }
      return { statusLine: head.statusLine, status: head.status, headers: head.headers };
    }
    at = head.end;
  }
}

function readHead(lines: string[], start: number): HttpResponseHead & { end: number } {
  const statusLine = (lines[start] ?? '').trimEnd();
  const status = STATUS.exec(statusLine);
  if (!status) {
    const reason = /^HTTP\/[23]/.test(statusLine)
      ? 'an HTTP/2 or HTTP/3 status line: this reads HTTP/1.x heads'
      : 'no HTTP/1.x status line';
    throw new ParseError(PARSER, reason, lines[start] ?? '', start + 1);
  }
  const headers: Record<string, string> = {};
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '' && i === lines.length - 1) break;
    // The empty line ends the head only with its own line end: a last, unterminated '' is the end of a cut-off text.
    if (line === '' && i < lines.length - 1) return { statusLine, status: Number(status[1]), headers, end: i + 1 };
    if (/^[ \t]/.test(line)) throw new ParseError(PARSER, 'a folded header line (obsolete line folding)', line, i + 1);
    const header = HEADER.exec(line);
    if (!header) throw new ParseError(PARSER, 'not a "Name: value" header line', line, i + 1);
    const name = (header[1] as string).toLowerCase();
    const value = header[2] as string;
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  throw new ParseError(
    PARSER,
    'the head does not end (no empty line after the headers: a reply cut off?)',
    lines.slice(start).join('\n'),
    start + 1,
  );
}
