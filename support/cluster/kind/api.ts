/**
 * The Kubernetes API clients the kind target uses, each with a per-request timeout, and the
 * translation of transport failures into EnvironmentErrors with a remedy.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubernetesObjectApi,
  ServerConfiguration,
  VersionApi,
  createConfiguration,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { EnvironmentError } from '../../domain.ts';
import { errorText, httpStatus, redact } from '../../redact.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface KubeClients {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly discovery: DiscoveryV1Api;
  readonly authz: AuthorizationV1Api;
  readonly version: VersionApi;
  readonly objects: KubernetesObjectApi;
}

/** Aborts every request that has not completed within `ms`. */
function timeoutMiddleware(ms: number) {
  return {
    async pre(ctx: RequestContext): Promise<RequestContext> {
      ctx.setSignal(AbortSignal.timeout(ms));
      return ctx;
    },
    async post(ctx: ResponseContext): Promise<ResponseContext> {
      return ctx;
    },
  };
}

export function makeClients(kc: KubeConfig, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): KubeClients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new EnvironmentError(
      `kubeconfig context "${kc.getCurrentContext()}" names no cluster`,
      'fix the context, or choose another with --context',
    );
  }
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [timeoutMiddleware(requestTimeoutMs)],
  });
  // Every manifest the suite applies names its namespace, so the context's default is moot.
  const objects = new KubernetesObjectApi(config);
  return {
    kc,
    server: redact(cluster.server),
    core: new CoreV1Api(config),
    apps: new AppsV1Api(config),
    custom: new CustomObjectsApi(config),
    discovery: new DiscoveryV1Api(config),
    authz: new AuthorizationV1Api(config),
    version: new VersionApi(config),
    objects,
  };
}

/** True when the thrown value says the server was never reached (refused, unresolvable, timed out). */
export function isUnreachable(err: unknown): boolean {
  if (httpStatus(err) !== undefined) return false;
  const text = errorText(err);
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up|aborted|timed? ?out/i.test(text);
}

/**
 * Wraps an API call: an unreachable server, rejected credentials or a refusal become
 * EnvironmentErrors that say what to do; any other failure one that names what was asked.
 */
export async function call<T>(clients: KubeClients, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explain(clients, what, err);
  }
}

/** As `call`, but a 404 (object or API absent) is returned as `undefined`. */
export async function callOr404<T>(clients: KubeClients, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw explain(clients, what, err);
  }
}

export function explain(clients: KubeClients, what: string, err: unknown): EnvironmentError {
  if (err instanceof EnvironmentError) return err;
  const context = clients.kc.getCurrentContext();
  const status = httpStatus(err);
  if (status === undefined && isUnreachable(err)) {
    return new EnvironmentError(
      `cannot reach the Kubernetes API server at ${clients.server} (context "${context}") while trying to ${what}: ${errorText(err)}`,
      `start the cluster (for Kind: \`kind get clusters\`, then \`docker start <name>-control-plane\` or \`npm run cluster:up\`), or point the suite at another one with --kubeconfig / --context / KUBECONFIG`,
    );
  }
  if (status === 401) {
    return new EnvironmentError(
      `the API server at ${clients.server} rejected the credentials of context "${context}" while trying to ${what}`,
      'refresh the kubeconfig (for Kind: `kind export kubeconfig --name <cluster>`)',
    );
  }
  if (status === 403) {
    return new EnvironmentError(
      `context "${context}" may not ${what}: ${errorText(err)}`,
      "use a context with cluster-admin rights (Kind's own `kind-<cluster>` context has them) or grant the permission",
    );
  }
  return new EnvironmentError(`failed to ${what}: ${errorText(err)}`);
}
