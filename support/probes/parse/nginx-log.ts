/**
 * nginx's access log in the `combined` format, as `kubectl logs` of an nginx:stable pod prints
 * it: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent"`. Other lines (the image's entrypoint notices, error-log
 * lines) are skipped.
 */
export interface AccessLogLine {
  remoteAddr: string;
  request: string;
  status: number;
  raw: string;
}

const COMBINED = /^(\S+) \S+ \S+ \[[^\]]+\] "((?:[^"\\]|\\.)*)" (\d{3}) \S+/;

export function parseAccessLog(text: string): AccessLogLine[] {
  return text.split('\n').flatMap((raw) => {
    const match = COMBINED.exec(raw.trim());
    return match ? [{ remoteAddr: match[1] as string, request: match[2] as string, status: Number(match[3]), raw: raw.trim() }] : [];
  });
}
