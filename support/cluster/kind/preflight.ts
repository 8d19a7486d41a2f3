/**
 * Before a run on a live cluster: can the suite work here at all? Each stage that fails is
 * an EnvironmentError (exit code 2) whose message says what is wrong and what to do:
 *
 *  1. the API server answers (GET /version) and accepts the credentials;
 *  2. the context may do what the suite does (SelfSubjectAccessReviews);
 *  3. Calico is installed (its ippools CRD is served and holds a pool);
 *  4. a node can be reached through the node shell (when one is given).
 */
import { EnvironmentError } from '../cluster.ts';
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

/** What the suite does on a cluster, as permissions. */
export const REQUIRED_PERMISSIONS: Permission[] = [
  { verb: 'list', resource: 'nodes', why: 'find the nodes and their roles' },
  { verb: 'list', resource: 'pods', why: 'find the probe pods on every node' },
  { verb: 'create', resource: 'pods', subresource: 'exec', why: 'run probes in pods', namespaced: true },
  { verb: 'create', resource: 'pods', why: 'create scenario pods', namespaced: true },
  { verb: 'patch', resource: 'daemonsets', group: 'apps', why: 'apply the multitool DaemonSets', namespaced: true },
  { verb: 'list', resource: 'ippools', group: 'crd.projectcalico.org', why: "read Calico's IP pools" },
  { verb: 'list', resource: 'ipamblocks', group: 'crd.projectcalico.org', why: "read Calico's IPAM blocks" },
];

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
  await checkPermissions(options);
  const pools = await checkCalico(clients);
  const report: PreflightReport = { serverVersion, pools };
  if (options.nodeShell) report.nodeShell = await checkNodeShell(clients, options.nodeShell);
  return report;
}

async function checkServer(clients: KubeClients): Promise<string> {
  // `call` turns refused connections, timeouts and 401s into EnvironmentErrors with a remedy.
  const version = await call(clients, 'read the server version', () => clients.version.getCode());
  return version.gitVersion;
}

async function checkPermissions(options: PreflightOptions): Promise<void> {
  const { clients, namespace } = options;
  const denied: string[] = [];
  for (const p of options.permissions ?? REQUIRED_PERMISSIONS) {
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
      denied.push(`${describe(p)}${p.namespaced ? ` in namespace ${namespace}` : ''} (to ${p.why})${review.status?.reason ? ` — ${review.status.reason}` : ''}`);
    }
  }
  if (denied.length > 0) {
    throw new EnvironmentError(
      `context "${clients.kc.getCurrentContext()}" lacks permissions the suite needs:\n    - ${denied.join('\n    - ')}`,
      'use a context with cluster-admin rights (Kind\'s own `kind-<cluster>` context has them), or bind a role that grants these verbs',
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
