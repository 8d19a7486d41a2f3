/**
 * Prints the kind release that built the node image of a Kubernetes version, and the SHA-256 of
 * its linux-amd64 binary: `v0.20.0 513a72…`. The nightly workflow installs exactly that kind.
 *   node --import tsx support/provision/kind-release.ts v1.28.0
 * Exit 2 (and a message) for a version with no paired node image.
 */
import { pathToFileURL } from 'node:url';
import { nodeImage, pairedK8sVersions } from './versions.ts';

export function kindReleaseLine(k8s: string): string | undefined {
  const image = nodeImage(k8s);
  return image ? `${image.kind.version} ${image.kind.linuxAmd64Sha256}` : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const k8s = process.argv[2] ?? '';
  const line = kindReleaseLine(k8s);
  if (line) process.stdout.write(`${line}\n`);
  else {
    process.stderr.write(
      `kind-release: no node image of Kubernetes "${k8s}" is paired with a kind release; known: ${pairedK8sVersions().join(', ')}\n`,
    );
    process.exitCode = 2;
  }
}
