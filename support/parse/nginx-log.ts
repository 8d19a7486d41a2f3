/**
 * A pod's logs as `kubectl logs` prints them for nginx: nginx's access log in the `combined`
 * format (the image's and the lab's: `$remote_addr - $remote_user [$time_local] "$request"
 * $status $body_bytes_sent "$http_referer" "$http_user_agent"`), which is read, and the lines the
 * image prints beside it, which are recognised and left out: its entrypoint's notices
 * (`/docker-entrypoint.sh: …`, `10-listen-on-ipv6-by-default.sh: info: …`) and nginx's error log
 * (`2026/12/06 14:10:59 [notice] 1#1: …`), both on stderr. Any other line is refused.
 *
 * Checked against nginx 1.22.1 (`nginx -v`) with the lab's configuration (fixtures
 * netns-h24c-nginx-{access,error}.log.txt): requests over IPv4 and IPv6, HEAD, 301, 404, HTTP/1.0,
 * a request nginx could not parse (`"get" 400`), a TLS hello (`"\x16\x03\x01…"`), a user agent
 * with quotes and a backslash. nginx escapes `"`, `\` and bytes outside 0x20-0x7e in a logged
 * variable as `\xHH` (ngx_http_log_escape), so a quoted field never holds a bare quote.
 */
import { ParseError } from './errors.ts';

export interface AccessLogLine {
  remoteAddr: string;
  request: string;
  status: number;
  raw: string;
}

const QUOTED = '"((?:[^"\\\\]|\\\\x[0-9A-F]{2})*)"';
const COMBINED = new RegExp(
  `^(\\S+) - (\\S+) \\[(\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4})\\] ${QUOTED} (\\d{3}) (\\d+) ${QUOTED} ${QUOTED}$`,
);
const OTHER = [
  /^\/docker-entrypoint\.sh: \S.*$/,
  /^[\w.-]+\.(?:sh|envsh): (?:info|warn|warning|error): \S.*$/,
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: .*$/,
];

export function parseAccessLog(text: string): AccessLogLine[] {
  return text.split('\n').flatMap((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line === '' || OTHER.some((pattern) => pattern.test(line))) return [];
    const match = COMBINED.exec(line);
    if (!match)
      throw new ParseError(
        'parseAccessLog',
        'neither a "combined" access log line nor one nginx or its image prints beside it',
        raw,
        index + 1,
      );
    return [{ remoteAddr: match[1] as string, request: match[4] as string, status: Number(match[5]), raw: line }];
  });
}
