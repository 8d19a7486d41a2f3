/**
 * One worker's handles on the clusters of a run, by topology. On the embedded lab each
 * topology has a lab of its own (the runner says which, through PODNET_LABS); on the kind
 * target every topology shares the user's one cluster, and a scenario whose topology the
 * cluster does not fit is skipped with the reason.
 */
import type { Cluster } from './cluster/cluster.ts';
import { loadLabSpec, type LabSpec } from './lab/spec.ts';
import { chooseTarget, connect, TARGET_ENV } from './target.ts';
import { DEFAULT_TOPOLOGY, LABS_ENV, labNameFor, parseLabsEnv } from './topology/catalogue.ts';
import { expectedFacts, mismatch, observedFacts, routerContainer } from './topology-facts.ts';

const specs = new Map<string, LabSpec>();

/** A topology's spec as its fixtures describe it (what its scenarios may count on). */
export function topologySpec(topology: string): LabSpec {
  let spec = specs.get(topology);
  if (!spec) {
    spec = loadLabSpec({ topology });
    specs.set(topology, spec);
  }
  return spec;
}

/** The lab serving a topology on the embedded target. */
export function labOfTopology(topology: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = parseLabsEnv(env[LABS_ENV]).get(topology);
  if (named) return named;
  const base = env[TARGET_ENV.lab] ?? topologySpec(DEFAULT_TOPOLOGY).name;
  return labNameFor(base, topology);
}

export class TopologyClusters {
  private readonly handles = new Map<string, Promise<Cluster>>();
  private readonly fits = new Map<string, Promise<string | undefined>>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The cluster of a topology: its own lab on the embedded target, the one cluster on kind. */
  for(topology: string): Promise<Cluster> {
    const key = this.isLive() ? '*' : labOfTopology(topology, this.env);
    let handle = this.handles.get(key);
    if (!handle) {
      handle = connect(this.isLive() ? this.env : { ...this.env, [TARGET_ENV.lab]: key });
      this.handles.set(key, handle);
    }
    return handle;
  }

  /** Why the live cluster does not fit the topology (undefined when it does, and always on the lab). */
  async unfit(topology: string, cluster: Cluster): Promise<string | undefined> {
    if (cluster.target !== 'kind') return undefined;
    let fit = this.fits.get(topology);
    if (!fit) {
      const spec = topologySpec(topology);
      const router = routerContainer(spec, this.env);
      fit = observedFacts(cluster, router ? { name: router } : undefined).then((observed) =>
        mismatch(topology, expectedFacts(spec), observed, router),
      );
      this.fits.set(topology, fit);
    }
    return fit;
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (handle) => (await handle.catch(() => undefined))?.close()));
  }

  private isLive(): boolean {
    return chooseTarget(this.env).kind === 'kind';
  }
}
