import { createHash } from 'node:crypto';

/** Calico's host-side interface name: `cali` + the first 11 hex digits of SHA-1 of `<namespace>.<pod>`. */
export function caliInterfaceName(namespace: string, pod: string): string {
  const digest = createHash('sha1').update(`${namespace}.${pod}`).digest('hex');
  return `cali${digest.slice(0, 11)}`;
}
