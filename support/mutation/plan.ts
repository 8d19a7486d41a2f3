/**
 * How the mutation matrix is shared out among its workers: a queue they pull from, one unit
 * (a topology's clean run, or one fault on it) at a time. A worker keeps the lab of the
 * topology it holds and takes that topology's next fault; when none is left it moves to the
 * topology with the most work per lab, building a lab there. So the big topology (the default
 * one carries about half the faults) is worked by several labs at once, and a worker that drew
 * the slow faults (those that make scenarios wait out their timeouts, some ten times a clean
 * run) does not hold the others back, as a plan fixed in advance did: the faults' costs are
 * only known once they have run. Pure, so it is unit-tested.
 */

export interface TopologyWork {
  topology: string;
  /** Its scenarios: what one run of the topology costs. */
  scenarios: number;
  /** The faults that break this topology's lab. */
  faults: string[];
}

/** One run of a topology's scenarios: on its clean lab (no fault), or under one fault. */
export interface MatrixUnit {
  topology: string;
  fault?: string;
}

/** A lab build (a worker's move to another topology, or the rebuild after a bad undo) costs about as much as this many scenarios. */
export const REBUILD_COST_IN_SCENARIOS = 12;

/** Below this many runs left, a topology that a lab already works on gets no second one: its build would cost more than it saves. */
export const SMALLEST_SHARE = 4;

/**
 * The faults in the order to hand them out: those that fail the most claims first (ties keep
 * their order). A fault's cost is known only once it has run, but the table says how many
 * claims it fails, and a failed scenario waits out its probes' timeouts and then its
 * diagnosis's: the faults that cut connectivity or DNS fail thirty claims and take ten times
 * a clean run. Started first, they wait while the quick ones keep the cores busy, and the
 * quick ones fill the end of the run instead of one slow fault holding it.
 */
export function slowestFirst(faults: string[], claimsFailed: (fault: string) => number): string[] {
  return faults
    .map((fault, index) => ({ fault, index, cost: claimsFailed(fault) }))
    .sort((a, b) => b.cost - a.cost || a.index - b.index)
    .map(({ fault }) => fault);
}

export class MatrixQueue {
  /** Per topology, the units not yet handed out, its clean run first (other labs of the topology take its faults meanwhile, each built afresh). */
  private readonly left = new Map<string, MatrixUnit[]>();
  private readonly scenarios = new Map<string, number>();
  /** The topology whose lab each worker holds. */
  private readonly holding = new Map<number, string>();

  constructor(works: TopologyWork[]) {
    for (const work of works) {
      this.left.set(work.topology, [{ topology: work.topology }, ...work.faults.map((fault) => ({ topology: work.topology, fault }))]);
      this.scenarios.set(work.topology, work.scenarios);
    }
  }

  /** The next unit for `worker`, or undefined when nothing is left that is worth its while. */
  next(worker: number): MatrixUnit | undefined {
    const held = this.holding.get(worker);
    const own = held === undefined ? undefined : this.left.get(held);
    if (own?.length) return own.shift();
    const topology = this.busiest(worker);
    if (topology === undefined) {
      this.holding.delete(worker);
      return undefined;
    }
    this.holding.set(worker, topology);
    return this.left.get(topology)?.shift();
  }

  /** How many units are not yet handed out. */
  get remaining(): number {
    return [...this.left.values()].reduce((sum, units) => sum + units.length, 0);
  }

  /** The topology with the most work left per lab once this worker joins it (ties: the first given). */
  private busiest(worker: number): string | undefined {
    let best: { topology: string; share: number } | undefined;
    for (const [topology, units] of this.left) {
      if (units.length === 0) continue;
      const labs = [...this.holding].filter(([other, held]) => other !== worker && held === topology).length;
      if (labs > 0 && units.length < SMALLEST_SHARE) continue;
      const share = (units.length * ((this.scenarios.get(topology) ?? 0) + REBUILD_COST_IN_SCENARIOS)) / (labs + 1);
      if (best === undefined || share > best.share) best = { topology, share };
    }
    return best?.topology;
  }
}
