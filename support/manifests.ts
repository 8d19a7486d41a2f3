/**
 * The lessons' own manifests (fixtures/manifests/<name>.yaml): pods that ask Calico for
 * something through annotations, and Calico objects a lesson applies. A scenario names the
 * manifest; the addresses stay in the manifest, never in the feature.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { IP_ADDRS_ANNOTATION } from './net/calico.ts';
import type { IpReservation, PodRequest } from './domain.ts';

export const MANIFESTS_DIR = resolve(import.meta.dirname, '../fixtures/manifests');

type Doc = {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};

function readManifest(name: string, kind: string): Doc {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`"${name}" is not a manifest name (fixtures/manifests/<name>.yaml)`);
  let doc: Doc;
  try {
    doc = parse(readFileSync(join(MANIFESTS_DIR, `${name}.yaml`), 'utf8')) as Doc;
  } catch (error) {
    throw new Error(`cannot read the manifest ${name} (fixtures/manifests/${name}.yaml): ${(error as Error).message}`);
  }
  if (doc?.kind !== kind) throw new Error(`fixtures/manifests/${name}.yaml is a ${doc?.kind ?? 'nothing'}, not a ${kind}`);
  return doc;
}

/** A pod manifest as the port's request: its name, labels and annotations (the target chooses the image). */
export function podRequestFrom(name: string, namespace: string): PodRequest {
  const doc = readManifest(name, 'Pod');
  return {
    namespace,
    name: String(doc.metadata?.name ?? name),
    labels: { ...(doc.metadata?.labels ?? {}) },
    annotations: { ...(doc.metadata?.annotations ?? {}) },
  };
}

export function ipReservationFrom(name: string): IpReservation {
  const doc = readManifest(name, 'IPReservation');
  const cidrs = doc.spec?.reservedCIDRs;
  return { name: String(doc.metadata?.name ?? name), reservedCIDRs: Array.isArray(cidrs) ? cidrs.map(String) : [] };
}

/** The one IPv4 address a pod's `cni.projectcalico.org/ipAddrs` annotation asks for, if any. */
export function requestedAddress(annotations: Record<string, string>): string | undefined {
  const text = annotations[IP_ADDRS_ANNOTATION];
  if (!text) return undefined;
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.map(String).find((ip) => !ip.includes(':')) : undefined;
  } catch {
    return undefined;
  }
}

/** A NetworkAttachmentDefinition of the course (lessons 21, 22): its name and spec.config, the JSON text as the course writes it. */
export function nadFrom(name: string): { name: string; config: string } {
  const doc = readManifest(name, 'NetworkAttachmentDefinition');
  const config = doc.spec?.config;
  if (typeof config !== 'string') throw new Error(`fixtures/manifests/${name}.yaml has no spec.config string`);
  return { name: String(doc.metadata?.name ?? name), config };
}
