/**
 * Pinned versions for provisioning: the defaults of `cluster:up`, the kindest/node images by
 * digest, and where each Calico release keeps its operator manifests.
 */

export const DEFAULT_CLUSTER_NAME = 'podnet';
/** The course's Kubernetes version. */
export const DEFAULT_K8S = 'v1.28.0';
export const DEFAULT_CALICO = 'v3.30.0';

/**
 * kindest/node images by digest, copied from the kind release notes ("Images pre-built for this
 * release"). kind supports an image only with the release that built it (others best effort),
 * and only a digest names one build for sure. A version missing here is used by tag.
 */
const NODE_IMAGE_DIGESTS: Readonly<Record<string, { digest: string; builtBy: string }>> = {
  'v1.28.0': { digest: 'sha256:b7a4cad12c197af3ba43202d3efe03246b3f0793f162afb40a33c923952d5b31', builtBy: 'kind v0.20.0' },
  'v1.30.6': { digest: 'sha256:b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994', builtBy: 'kind v0.25.0' },
  'v1.32.0': { digest: 'sha256:c48c62eac5da28cdadcf560d1d8616cfa6783b58f0d94cf63ad1bf49600cb027', builtBy: 'kind v0.26.0' },
};

export interface NodeImage {
  ref: string;
  /** Which kind release built it, when the digest is known. */
  builtBy: string | undefined;
}

export function nodeImage(k8s: string): NodeImage {
  const known = NODE_IMAGE_DIGESTS[k8s];
  return known
    ? { ref: `kindest/node:${k8s}@${known.digest}`, builtBy: known.builtBy }
    : { ref: `kindest/node:${k8s}`, builtBy: undefined };
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
