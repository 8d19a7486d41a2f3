/**
 * Pinned versions for provisioning: the defaults of `cluster:up`, the kindest/node images by
 * digest, and where each Calico release keeps its operator manifests.
 */

export const DEFAULT_CLUSTER_NAME = 'podnet';
/** The course's Kubernetes version. */
export const DEFAULT_K8S = 'v1.28.0';
export const DEFAULT_CALICO = 'v3.30.0';

/**
 * A kind release: the version `kind version` prints, and the SHA-256 of its linux-amd64 binary
 * (the release's kind-linux-amd64.sha256sum asset).
 */
export interface KindRelease {
  version: string;
  linuxAmd64Sha256: string;
}

export const KIND_RELEASES: Readonly<Record<string, KindRelease>> = {
  'v0.20.0': { version: 'v0.20.0', linuxAmd64Sha256: '513a7213d6d3332dd9ef27c24dab35e5ef10a04fa27274fe1c14d8a246493ded' },
  'v0.25.0': { version: 'v0.25.0', linuxAmd64Sha256: 'b22ff7e5c02b8011e82cc3223d069d178b9e1543f1deb21e936d11764780a3d8' },
  'v0.26.0': { version: 'v0.26.0', linuxAmd64Sha256: 'd445b44c28297bc23fd67e51cc24bb294ae7b977712be2d4d312883d0835829b' },
};

/**
 * kindest/node images by digest, each with the kind release whose notes list it ("Images
 * pre-built for this release" / "Additional images pre-built for this release"). kind supports
 * an image only with the release that built it (kind#3853 broke on such skew), and only a
 * digest names one build: v1.32.0 is listed by v0.25.0 AND v0.26.0 under two digests.
 *  - v1.28.0 b7a4cad1…: kind v0.20.0 release notes (additional images)
 *  - v1.30.6 b6d08db7…: kind v0.25.0 release notes
 *  - v1.32.0 c48c62ea…: kind v0.26.0 release notes (its default image)
 */
const NODE_IMAGES: Readonly<Record<string, { digest: string; kind: keyof typeof KIND_RELEASES }>> = {
  'v1.28.0': { digest: 'sha256:b7a4cad12c197af3ba43202d3efe03246b3f0793f162afb40a33c923952d5b31', kind: 'v0.20.0' },
  'v1.30.6': { digest: 'sha256:b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994', kind: 'v0.25.0' },
  'v1.32.0': { digest: 'sha256:c48c62eac5da28cdadcf560d1d8616cfa6783b58f0d94cf63ad1bf49600cb027', kind: 'v0.26.0' },
};

export interface NodeImage {
  ref: string;
  /** The kind release that built it (and the only one that supports it). */
  kind: KindRelease;
}

/** The Kubernetes versions cluster:up can build: those with a node image paired with its kind release. */
export function pairedK8sVersions(): string[] {
  return Object.keys(NODE_IMAGES);
}

/** The node image of a Kubernetes version and its kind release; undefined when none is paired. */
export function nodeImage(k8s: string): NodeImage | undefined {
  const known = NODE_IMAGES[k8s];
  const kind = known ? KIND_RELEASES[known.kind] : undefined;
  return known && kind ? { ref: `kindest/node:${k8s}@${known.digest}`, kind } : undefined;
}

/** `kind v0.20.0 go1.20.4 linux/amd64` → `v0.20.0`. */
export function parseKindVersion(output: string): string | undefined {
  return /\bkind (v\d+\.\d+\.\d+)\b/.exec(output)?.[1];
}

/** `v3.30.0` → [3, 30, 0]; throws on anything else. */
export function parseVersion(version: string): [number, number, number] {
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a version of the form vX.Y.Z: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * The Tigera operator manifests of a Calico release, in the order they are created. From 3.30 on
 * the CRDs come apart in operator-crds.yaml (Calico's install docs: create it, then
 * tigera-operator.yaml, with `kubectl create` because the CRD bundle is too large for `apply`);
 * before 3.30 tigera-operator.yaml carries them itself.
 */
export function calicoOperatorManifests(calico: string): string[] {
  const [major, minor] = parseVersion(calico);
  const base = `https://raw.githubusercontent.com/projectcalico/calico/${calico}/manifests`;
  const splitCrds = major > 3 || (major === 3 && minor >= 30);
  return splitCrds ? [`${base}/operator-crds.yaml`, `${base}/tigera-operator.yaml`] : [`${base}/tigera-operator.yaml`];
}
