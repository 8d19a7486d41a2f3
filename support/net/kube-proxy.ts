/**
 * kube-proxy's naming rules, shared by the lab's kube-proxy and the claims that read a node's
 * rules. Chain names (pkg/proxy/iptables/proxier.go, Kubernetes v1.28:
 * servicePortChainName, servicePortEndpointChainName; the hash is portProtoHash): the first
 * 16 characters of base32(SHA-256(<ns>/<svc>[:<port name>] + <protocol, lower case> [+ <ip:port>])).
 */
import { createHash } from 'node:crypto';

/** kube-proxy's fixed chains (pkg/proxy/iptables/proxier.go). */
export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
/** Prefixes of the per-Service and per-endpoint chains. */
export const SVC_CHAIN_PREFIX = 'KUBE-SVC-';
export const EXT_CHAIN_PREFIX = 'KUBE-EXT-';
export const SEP_CHAIN_PREFIX = 'KUBE-SEP-';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding, as Go's base32.StdEncoding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** `<namespace>/<name>` and `:<port name>` when the port has a name (proxy.ServicePortName.String()). */
export function servicePortName(namespace: string, service: string, portName: string | undefined): string {
  return `${namespace}/${service}${portName ? `:${portName}` : ''}`;
}

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

export function serviceChainName(portName: string, protocol: string): string {
  return `${SVC_CHAIN_PREFIX}${hash16(portName + protocol.toLowerCase())}`;
}

/** servicePortExternalChainName: the chain all of a Service port's external destinations (LoadBalancer IP, nodePort) jump to. */
export function externalChainName(portName: string, protocol: string): string {
  return `${EXT_CHAIN_PREFIX}${hash16(portName + protocol.toLowerCase())}`;
}

export function endpointChainName(portName: string, protocol: string, endpoint: string): string {
  return `${SEP_CHAIN_PREFIX}${hash16(portName + protocol.toLowerCase() + endpoint)}`;
}

/**
 * The probability kube-proxy writes for a jump that has `remaining` endpoints left (jump i of n:
 * n-i): computeProbability in pkg/proxy/iptables/proxier.go, `fmt.Sprintf("%0.10f", 1.0/float64(n))`.
 */
export function writtenProbability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}

/**
 * That probability as `iptables -S` prints it back. The statistic match keeps it as a 31-bit
 * fraction, lround(0x80000000 * p), and prints that fraction with `%.11f` (iptables
 * extensions/libxt_statistic.c, statistic_parse and statistic_print), so 1/3 comes back as
 * 0.33333333349, not 0.33333333333 (measured with this machine's iptables in a private netns:
 * 0.50000000000, 0.33333333349, 0.20000000019, 0.16666666651 for 2, 3, 5 and 6).
 */
export function printedProbability(remaining: number): string {
  const stored = Math.round(0x80000000 * Number(writtenProbability(remaining)));
  return (stored / 0x80000000).toFixed(11);
}
