/**
 * Scrubs credentials from anything that could reach a report, an attachment or a log.
 *
 * Two layers:
 *  1. shapes: bearer/basic credentials, Authorization headers, PEM blocks (and their base64),
 *     JWTs, URL user-info, and the values of secret-looking keys (token, password,
 *     client-key-data, …) in YAML, JSON and query strings;
 *  2. values: every secret read from the kubeconfig in use is registered here
 *     (`registerKubeConfigSecrets`) and replaced wherever it appears, whatever its shape.
 *
 * Error objects of the Kubernetes client carry request options (headers, agent options with
 * the client key) and, for WebSocket errors, the socket itself: never serialise them. Use
 * `errorText(err)`, which takes only the message (or, for API errors, the Status message)
 * and redacts it.
 */
import type { KubeConfig } from '@kubernetes/client-node';

const MARK = '[REDACTED]';
const registered = new Set<string>();

/** Values shorter than this are not registered: too likely to hit ordinary text. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  registered.add(v);
  // Kubeconfig *-data fields are base64: register the decoded text too (the PEM inside).
  if (/^[A-Za-z0-9+/=\s]+$/.test(v) && v.length >= 16) {
    const decoded = Buffer.from(v, 'base64').toString('utf8').trim();
    if (decoded.length >= MIN_SECRET_LENGTH && /^[\x20-\x7e\r\n\t]+$/.test(decoded)) registered.add(decoded);
  }
}

/** Registers every credential the kubeconfig holds (all users, not only the current one). */
export function registerKubeConfigSecrets(kc: KubeConfig): void {
  for (const user of kc.getUsers()) {
    registerSecret(user.token);
    registerSecret(user.password);
    registerSecret(user.keyData);
    registerSecret(user.certData);
    const providerConfig = user.authProvider?.config as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(providerConfig ?? {})) {
      if (/token|secret|password|key/i.test(key) && typeof value === 'string') registerSecret(value);
    }
  }
}

/** Forgets registered values (tests). */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

const SECRET_KEYS = [
  'token',
  'access[-_]?token',
  'id[-_]?token',
  'refresh[-_]?token',
  'client[-_]?secret',
  'password',
  'passphrase',
  'client[-_]?key[-_]?data',
  'client[-_]?certificate[-_]?data',
  'keyData',
  'certData',
  'secret',
].join('|');

const SHAPES: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  // PEM blocks, and base64 of PEM ("-----BEGIN" → "LS0tLS1CRUdJTi").
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, `${MARK} PEM`],
  [/LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g, `${MARK} PEM`],
  // Authorization header values of any scheme.
  [
    /(authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^"'\s,;}]+/gi,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${MARK}`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, `$1 ${MARK}`],
  // JWTs (service-account tokens, OIDC id-tokens).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MARK],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${MARK}@`],
  // key: value, "key": "value", key=value for secret-looking keys.
  [new RegExp(`((?:["']?)\\b(?:${SECRET_KEYS})\\b["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,}&;]+)`, 'gi'), `$1${MARK}`],
  // JSON-serialised TLS agent options ({"key":"…","cert":"…","pfx":…}).
  [/("(?:key|cert|pfx|auth)"\s*:\s*)("[^"]*"|\{[^}]*\}|\[[^\]]*\])/g, `$1"${MARK}"`],
];

/** Returns the text with every known secret shape and every registered secret value removed. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const value of [...registered].sort((a, b) => b.length - a.length)) {
    out = out.split(value).join(MARK);
  }
  for (const [pattern, replacement] of SHAPES) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

interface ApiErrorLike {
  code: number;
  body?: unknown;
}

function isApiError(err: unknown): err is ApiErrorLike {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

/** The Status message inside an API error body (a string or an object), if any. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 500);
    }
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const { message, reason } = parsed as { message?: unknown; reason?: unknown };
    if (typeof message === 'string') return message;
    if (typeof reason === 'string') return reason;
  }
  return undefined;
}

/**
 * A one-line, secret-free description of any thrown value: an API error becomes
 * `HTTP 403: <Status message>`, anything else its message. Never the object itself.
 */
export function errorText(err: unknown): string {
  if (isApiError(err)) {
    const msg = statusMessage(err.body);
    return redact(`HTTP ${err.code}${msg ? `: ${msg}` : ''}`);
  }
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error && !err.message.includes(cause.message) ? ` (${cause.message})` : '';
    return redact(`${err.message}${causeText}`);
  }
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    // WebSocket ErrorEvent: { type, message, error, target } — target holds the request options.
    return redact((err as { message: string }).message);
  }
  return redact(String(err));
}

/** The HTTP status of an API error, if the thrown value is one. */
export function httpStatus(err: unknown): number | undefined {
  return isApiError(err) ? err.code : undefined;
}

export type Logger = (line: string) => void;

/** Wraps a logger so that every line it receives is redacted first. */
export function redactingLogger(log: Logger): Logger {
  return (line) => log(redact(line));
}
