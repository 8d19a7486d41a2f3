/**
 * Stand-ins for docker, kind and kubectl (there is no Docker engine here): one shell script,
 * linked under the three names, that logs every call, keeps the list of Kind clusters in a state
 * directory, saves the manifests it is fed, and answers the polls with a healthy cluster.
 * FAKE_FAIL=<text> makes any call whose command line contains <text> fail. `kind version` says
 * FAKE_KIND_VERSION (default v0.20.0, the release that built the course's v1.28.0 node image).
 */
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `#!/bin/sh
tool=$(basename "$0")
echo "$tool $*" >> "$FAKE_STATE/calls.log"
case "$tool $*" in *"$FAKE_FAIL"*) if [ -n "$FAKE_FAIL" ]; then echo "fake $tool: failing on purpose" >&2; exit 1; fi;; esac
case "$tool $*" in
  "docker info"*) echo 27.3.1 ;;
  "kind version") echo "kind \${FAKE_KIND_VERSION:-v0.20.0} go1.20.4 linux/amd64" ;;
  "kind get clusters") cat "$FAKE_STATE/clusters" 2>/dev/null; [ -s "$FAKE_STATE/clusters" ] || echo "No kind clusters found." >&2 ;;
  "kind create cluster"*) # $3 $4 = --name <cluster>
    cat > "$FAKE_STATE/kind-config.yaml"
    echo "$4" >> "$FAKE_STATE/clusters"
    echo "Creating cluster \\"$4\\" ..." >&2 ;;
  "kind delete cluster"*) grep -vx "$4" "$FAKE_STATE/clusters" > "$FAKE_STATE/clusters.new"; mv "$FAKE_STATE/clusters.new" "$FAKE_STATE/clusters" ;;
  kubectl*"create -f -") cat > "$FAKE_STATE/installation.yaml"; echo "installation.operator.tigera.io/default created" ;;
  kubectl*"get tigerastatus -o json")
    echo '{"items":[{"metadata":{"name":"calico"},"status":{"conditions":[{"type":"Available","status":"True"}]}},{"metadata":{"name":"apiserver"},"status":{"conditions":[{"type":"Available","status":"True"}]}}]}' ;;
  kubectl*"get nodes -o json")
    echo '{"items":[{"metadata":{"name":"a"},"status":{"conditions":[{"type":"Ready","status":"True"}]}},{"metadata":{"name":"b"},"status":{"conditions":[{"type":"Ready","status":"True"}]}},{"metadata":{"name":"c"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}' ;;
  kubectl*) echo "ok" ;;
  *) echo "fake $tool: unexpected call: $*" >&2; exit 3 ;;
esac
`;

export interface FakeTools {
  /** Everything the fakes own: remove it when done. */
  root: string;
  /** Directory holding the fake docker, kind and kubectl. */
  bin: string;
  /** Directory the fakes write to: calls.log, clusters, kind-config.yaml, installation.yaml. */
  state: string;
}

export async function makeFakeTools(tools: string[] = ['docker', 'kind', 'kubectl']): Promise<FakeTools> {
  const root = await mkdtemp(join(tmpdir(), 'podnet-provision-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  await mkdir(bin);
  await mkdir(state);
  const script = join(root, 'fake-tool');
  await writeFile(script, SCRIPT);
  await chmod(script, 0o755);
  for (const tool of tools) await symlink(script, join(bin, tool));
  return { root, bin, state };
}
