/**
 * Names as Calico and Kubernetes give them, and the lab's own object names.
 */
import { randomInt } from 'node:crypto';
import { fnv32a } from './services/fnv.ts';

export { caliInterfaceName } from '../net/calico.ts';

// Kubernetes' generated-name alphabet: no vowels (no accidental words), no 0/1/3 (look-alikes).
const GENERATED_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `<base>-<5 random chars>`, as the DaemonSet controller names its pods. */
export function generatedPodName(base: string, random: (max: number) => number = randomInt): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += GENERATED_NAME_ALPHABET[random(GENERATED_NAME_ALPHABET.length)];
  return `${base}-${suffix}`;
}

/**
 * A Deployment's pod-template-hash. The controller hashes its Go object dump with FNV-32a and
 * encodes the decimal sum with the generated-name alphabet (pkg/controller/controller_utils.go
 * ComputeHash, k8s.io/apimachinery/pkg/util/rand SafeEncodeString); the lab hashes the
 * template's JSON instead, so the value has the real form but not the real digits.
 */
export function podTemplateHash(template: unknown): string {
  const sum = fnv32a(JSON.stringify(template ?? {}));
  return [...String(sum)].map((digit) => GENERATED_NAME_ALPHABET[digit.charCodeAt(0) % GENERATED_NAME_ALPHABET.length]).join('');
}

/** Every object of the lab named `<name>` starts with this, so a clean-up never touches anything else. */
export const LAB_PREFIX = 'pnl';

/**
 * A file the lab's commands leave for a moment in /tmp (a pod or node of the lab shares the
 * machine's /tmp): named with the lab's prefix, so that lab:down clears one a killed run left.
 */
export function labScratchPrefix(labName: string, what: string): string {
  return `${LAB_SCRATCH_DIR}/${labObjectPrefix(labName)}${what}`;
}

export const LAB_SCRATCH_DIR = '/tmp';

/**
 * `pnl-<lab>.`: the dot ends the lab's name, and no lab name (a DNS label) contains one, so
 * lab "podnet" never claims the objects of lab "podnet-b".
 */
export function labObjectPrefix(labName: string): string {
  return `${LAB_PREFIX}-${labName}.`;
}

export function fabricNetns(labName: string): string {
  return `${labObjectPrefix(labName)}fabric`;
}

/** The top-of-rack router of the containerlab family of topologies. */
export function routerNetns(labName: string): string {
  return `${labObjectPrefix(labName)}router`;
}

/**
 * The outside world of the Kind family of topologies: a host beyond the node network's gateway,
 * standing for "an address on the internet" (topology/outside.ts).
 */
export function outsideNetns(labName: string): string {
  return `${labObjectPrefix(labName)}outside`;
}

export function nodeNetns(labName: string, node: string): string {
  return `${labObjectPrefix(labName)}node-${node}`;
}

export function podNetns(labName: string, namespace: string, pod: string): string {
  return `${labObjectPrefix(labName)}pod-${namespace}.${pod}`;
}

/** The node's end of its link to the fabric bridge (inside the fabric namespace). */
export function fabricPortName(nodeIndex: number): string {
  return `port${nodeIndex}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes object names (RFC 1123 labels); the lab uses them in file and namespace names. */
export function assertDnsLabel(kind: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new Error(`${kind} "${value}" is not a valid Kubernetes name (lower-case letters, digits and '-', at most 63)`);
  }
}
