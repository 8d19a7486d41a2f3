/**
 * Before a run on a live cluster: can the suite work here at all? Each stage that fails is
 * an EnvironmentError (exit code 2) whose message says what is wrong and what to do:
 *
 *  1. the API server answers (GET /version) and accepts the credentials;
 *  2. the context may do what the suite does (SelfSubjectAccessReviews);
 *  3. Calico is installed (its ippools CRD is served and holds a pool);
 *  4. a node can be reached through the node shell (when one is given).
 */
import { EnvironmentError } from '../../domain.ts';
import { call, callOr404, type KubeClients } from './api.ts';
import type { NodeShell } from './node-shell.ts';
import { errorText } from '../../redact.ts';

export interface Permission {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  /** Checked in the suite's namespace (else cluster-wide). */
  namespaced?: boolean;
  /** Why the suite needs it, for the message. */
  why: string;
}

/**
 * What the suite does on a cluster, as permissions, for a given API server version.
 *
 * Exec runs over a WebSocket, an HTTP GET upgrade: before Kubernetes 1.35 the API server
 * authorises it as `get pods/exec` (kubernetes#78741); from 1.35 the
 * AuthorizePodWebsocketUpgradeCreatePermission gate (beta, on by default; kubernetes PR 134577,
 * KEP-4006) also requires `create pods/exec`. Workloads are applied server-side (PATCH) into the
 * suite's namespace, which the suite creates, reads and deletes.
 */
export function requiredPermissions(server: { major: number; minor: number } | undefined): Permission[] {
  const createExec = server === undefined || server.major > 1 || (server.major === 1 && server.minor >= 35);
  return [
    { verb: 'list', resource: 'nodes', why: 'find the nodes and their roles' },
    { verb: 'list', resource: 'pods', why: 'find the probe pods on every node' },
    { verb: 'get', resource: 'namespaces', why: "find the suite's namespace" },
    { verb: 'create', resource: 'namespaces', why: "create the suite's namespace" },
    { verb: 'delete', resource: 'namespaces', why: "delete the suite's namespace afterwards" },
    { verb: 'get', resource: 'pods', subresource: 'exec', why: 'run probes in pods (exec over WebSocket is a GET)', namespaced: true },
    ...(createExec
      ? [
          {
            verb: 'create',
            resource: 'pods',
            subresource: 'exec',
            why: 'run probes in pods (Kubernetes 1.35+ also asks create for a WebSocket exec)',
            namespaced: true,
          },
        ]
      : []),
    { verb: 'create', resource: 'pods', why: 'create scenario pods', namespaced: true },
    { verb: 'patch', resource: 'pods', why: 'apply the multitool pods (server-side apply)', namespaced: true },
    { verb: 'delete', resource: 'pods', why: 'delete scenario pods', namespaced: true },
    { verb: 'patch', resource: 'daemonsets', group: 'apps', why: 'apply the multitool DaemonSets', namespaced: true },
    { verb: 'list', resource: 'ippools', group: 'crd.projectcalico.org', why: "read Calico's IP pools" },
    { verb: 'list', resource: 'ipamblocks', group: 'crd.projectcalico.org', why: "read Calico's IPAM blocks" },
  ];
}

/** `v1.28.0`, `1`/`28+` → { major, minor }. */
export function parseServerVersion(version: {
  major?: string;
  minor?: string;
  gitVersion?: string;
}): { major: number; minor: number } | undefined {
  const fromGit = /^v(\d+)\.(\d+)/.exec(version.gitVersion ?? '');
  const major = Number.parseInt(fromGit?.[1] ?? version.major ?? '', 10);
  const minor = Number.parseInt(fromGit?.[2] ?? version.minor ?? '', 10);
  return Number.isInteger(major) && Number.isInteger(minor) ? { major, minor } : undefined;
}

/** The permissions of the newest rules: every version's needs. */
export const REQUIRED_PERMISSIONS: Permission[] = requiredPermissions(undefined);

export interface PreflightOptions {
  clients: KubeClients;
  /** The suite's namespace (namespaced permissions are checked there). */
  namespace: string;
  /** When given, one node is reached through it (`true` must exit 0). */
  nodeShell?: NodeShell;
  permissions?: Permission[];
}

export interface PreflightReport {
  serverVersion: string;
  pools: number;
  nodeShell?: { node: string; path: 'docker' | 'pod' };
}

export async function preflight(options: PreflightOptions): Promise<PreflightReport> {
  const { clients } = options;
  const serverVersion = await checkServer(clients);
  await checkPermissions(options, serverVersion);
  const pools = await checkCalico(clients);
  const report: PreflightReport = { serverVersion: serverVersion.gitVersion, pools };
  if (options.nodeShell) report.nodeShell = await checkNodeShell(clients, options.nodeShell);
  return report;
}

async function checkServer(clients: KubeClients): Promise<{ major?: string; minor?: string; gitVersion: string }> {
  // `call` turns refused connections, timeouts and 401s into EnvironmentErrors with a remedy.
  return call(clients, 'read the server version', () => clients.version.getCode());
}

async function checkPermissions(options: PreflightOptions, server: { major?: string; minor?: string; gitVersion?: string }): Promise<void> {
  const { clients, namespace } = options;
  const denied: string[] = [];
  for (const p of options.permissions ?? requiredPermissions(parseServerVersion(server))) {
    const resourceAttributes = {
      verb: p.verb,
      resource: p.resource,
      ...(p.group ? { group: p.group } : {}),
      ...(p.subresource ? { subresource: p.subresource } : {}),
      ...(p.namespaced ? { namespace } : {}),
    };
    const review = await call(clients, `ask whether it may ${describe(p)}`, () =>
      clients.authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } },
      }),
    );
    if (!review.status?.allowed) {
      denied.push(
        `${describe(p)}${p.namespaced ? ` in namespace ${namespace}` : ''} (to ${p.why})${review.status?.reason ? ` — ${review.status.reason}` : ''}`,
      );
    }
  }
  if (denied.length > 0) {
    throw new EnvironmentError(
      `context "${clients.kc.getCurrentContext()}" lacks permissions the suite needs:\n    - ${denied.join('\n    - ')}`,
      "use a context with cluster-admin rights (Kind's own `kind-<cluster>` context has them), or bind a role that grants these verbs",
    );
  }
}

function describe(p: Permission): string {
  const resource = `${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group ? `.${p.group}` : ''}`;
  return `${p.verb} ${resource}`;
}

async function checkCalico(clients: KubeClients): Promise<number> {
  const list = (await callOr404(clients, 'list Calico IP pools', () =>
    clients.custom.listClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools' }),
  )) as { items?: unknown[] } | undefined;
  if (list === undefined) {
    throw new EnvironmentError(
      'Calico is not installed on this cluster: the API serves no crd.projectcalico.org/v1 ippools',
      'install Calico (`npm run cluster:up` builds the course cluster with it; on an existing Kind cluster apply the Tigera operator and fixtures/topologies/kind/calico-installation.yaml)',
    );
  }
  const count = list.items?.length ?? 0;
  if (count === 0) {
    throw new EnvironmentError(
      'Calico is installed but has no IP pool yet',
      'wait for the operator to finish (`kubectl get tigerastatus`), or check the Installation resource',
    );
  }
  return count;
}

async function checkNodeShell(clients: KubeClients, shell: NodeShell): Promise<{ node: string; path: 'docker' | 'pod' }> {
  const nodes = await call(clients, 'list nodes', () => clients.core.listNode());
  const node = nodes.items[0]?.metadata?.name;
  if (!node) throw new EnvironmentError('the cluster has no nodes', 'check the cluster (`kubectl get nodes`)');
  try {
    const r = await shell.exec(node, ['true'], { timeoutMs: 30_000 });
    if (r.exitCode !== 0 || r.timedOut) {
      throw new Error(r.timedOut ? 'timed out' : `\`true\` exited ${r.exitCode}: ${r.stderr.trim()}`);
    }
    return { node, path: await shell.pathKind(node) };
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(
      `cannot run a command on node ${node}: ${errorText(err)}`,
      'start Docker (Kind nodes are reached with docker exec), or allow privileged hostNetwork pods in the suite namespace',
    );
  }
}
