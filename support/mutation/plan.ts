/**
 * How the mutation matrix is shared out among its workers. A worker holds one lab per
 * topology it was given and keeps it for the whole matrix: the topology's scenarios run once on
 * the clean lab, then once under each fault, each fault undone before the next. A topology
 * with many faults (the default one carries half of them) is split over several workers, each
 * with a lab of its own, so that no worker waits for the one that drew the big topology.
 * Pure, so it is unit-tested.
 */

export interface TopologyWork {
  topology: string;
  /** Its scenarios: what one run of the topology costs. */
  scenarios: number;
  /** The faults that break this topology's lab. */
  faults: string[];
}

export interface MatrixJob {
  topology: string;
  /** Whether this job runs the clean lab's scenarios (one job per topology does). */
  clean: boolean;
  faults: string[];
}

/** A lab rebuild (the undo of a fault) costs about as much as this many scenarios. */
export const REBUILD_COST_IN_SCENARIOS = 12;

const runCost = (work: TopologyWork) => work.scenarios + REBUILD_COST_IN_SCENARIOS;

/** Below this many runs, a topology's work is not split off to another lab: its build would cost more than it saves. */
const SMALLEST_SPLIT = 4;

/** The jobs of each worker, balanced by cost (scenario runs plus rebuilds); every fault of every topology appears once. */
export function planMatrix(works: TopologyWork[], workers: number): MatrixJob[][] {
  if (workers < 1) throw new Error(`a matrix needs at least one worker, not ${workers}`);
  const units = (work: TopologyWork) => work.faults.length + 1;
  const total = works.reduce((sum, work) => sum + runCost(work) * units(work), 0);
  const share = total / workers;
  const lanes: { jobs: MatrixJob[]; cost: number }[] = Array.from({ length: workers }, () => ({ jobs: [], cost: 0 }));
  const cheapest = () => lanes.reduce((best, lane) => (lane.cost < best.cost ? lane : best));
  // Biggest topologies first, so that the small ones fill the gaps they leave.
  const ordered = [...works].sort((a, b) => runCost(b) * units(b) - runCost(a) * units(a));
  for (const work of ordered) {
    const cost = runCost(work);
    let clean = true;
    let faults = [...work.faults];
    // Only a topology bigger than half a worker's share is worth a second lab.
    const splittable = cost * units(work) > share / 2;
    while (clean || faults.length > 0) {
      const lane = cheapest();
      const left = faults.length + (clean ? 1 : 0);
      const fit = Math.floor((share - lane.cost) / cost);
      // The whole rest, unless another lab can take a real share of it.
      const take = !splittable || fit >= left || fit < SMALLEST_SPLIT ? left : fit;
      const chunk = faults.slice(0, take - (clean ? 1 : 0));
      faults = faults.slice(chunk.length);
      lane.jobs.push({ topology: work.topology, clean, faults: chunk });
      lane.cost += cost * take;
      clean = false;
    }
  }
  return lanes.map((lane) => lane.jobs);
}
