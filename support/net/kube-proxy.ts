/**
 * kube-proxy's naming rules, shared by the lab's kube-proxy and the claims that read a node's
 * rules. Chain names (pkg/proxy/iptables/proxier.go, Kubernetes v1.28:
 * servicePortChainName, servicePortEndpointChainName; the hash is portProtoHash): the first
 * 16 characters of base32(SHA-256(<ns>/<svc>[:<port name>] + <protocol, lower case> [+ <ip:port>])).
 */
import { createHash } from 'node:crypto';

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
  return `KUBE-SVC-${hash16(portName + protocol.toLowerCase())}`;
}

/** servicePortExternalChainName: the chain all of a Service port's external destinations (LoadBalancer IP, nodePort) jump to. */
export function externalChainName(portName: string, protocol: string): string {
  return `KUBE-EXT-${hash16(portName + protocol.toLowerCase())}`;
}

export function endpointChainName(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(portName + protocol.toLowerCase() + endpoint)}`;
}

/** kube-proxy's statistic probability for jump i of n, 1/(n-i), as `iptables -S` prints it (11 decimals). */
export function printedProbability(remaining: number): string {
  return (1 / remaining).toFixed(11);
}
