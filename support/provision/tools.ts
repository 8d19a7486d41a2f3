/**
 * Preflight of a real run: are the programs a plan needs on PATH? A missing one is an
 * EnvironmentError that says how to install it.
 */
import { EnvironmentError } from '../domain.ts';
import { findOnPath } from '../exec/on-path.ts';

export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  kind: 'install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), e.g. the release binary or `go install sigs.k8s.io/kind@latest`',
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/#kubectl), ideally the minor version of the cluster',
  docker: 'install Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/) and start it',
};

export function assertToolsPresent(tools: string[], path: string | undefined): void {
  const missing = tools.filter((tool) => findOnPath(tool, path) === undefined);
  if (missing.length === 0) return;
  const how = missing.map((tool) => `  - ${tool}: ${INSTALL_HINTS[tool] ?? 'install it and put it on PATH'}`);
  throw new EnvironmentError(
    `missing on PATH: ${missing.join(', ')}`,
    `install what is missing, then run again:\n${how.join('\n')}\n  (\`--dry-run\` shows the plan without any of them)`,
  );
}
