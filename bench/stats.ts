/** Median and spread of repeated measurements, for the benchmark tables. */
export interface Stats {
  runs: number;
  median: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { runs: sorted.length, median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await action();
  return [value, performance.now() - started];
}

/** Where a measured figure stands against its goal: `goal ≤ 30.00 s: met` or `goal ≤ 30.00 s: NOT met (2.10×)`. */
export function againstGoal(value: number, goal: { atMost?: number; atLeast?: number; unit?: 'ms' | 'x' }): string {
  const show = (figure: number) => (goal.unit === 'x' ? `${figure.toFixed(2)}×` : formatMs(figure));
  if (goal.atMost !== undefined) {
    const met = value <= goal.atMost;
    return `goal ≤ ${show(goal.atMost)}: ${met ? 'met' : `NOT met (${(value / goal.atMost).toFixed(2)}× the goal)`}`;
  }
  if (goal.atLeast !== undefined) {
    const met = value >= goal.atLeast;
    return `goal ≥ ${show(goal.atLeast)}: ${met ? 'met' : 'NOT met'}`;
  }
  throw new Error('againstGoal: a goal needs atMost or atLeast');
}
