/**
 * Literal IPv4 addresses and CIDRs in a feature: every lab has other ones, so a scenario names
 * pods and nodes by role instead. Calico's link-local gateway 169.254.1.1 is the same in every
 * lab and is itself what lesson 02 claims, so it alone is allowed.
 * .gplintrc holds the same pattern for gplint's no-restricted-patterns rule (step text).
 */
export const ALLOWED_IPS = ['169.254.1.1'];

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\d.]*\d)/g;

export function literalIps(text: string, allowed: readonly string[] = ALLOWED_IPS): string[] {
  return [...text.matchAll(IPV4)].map((match) => match[0]).filter((ip) => !allowed.includes(ip));
}
