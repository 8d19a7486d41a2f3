/**
 * How long each phase of a lab's bring-up and teardown took, kept per lab in this process so
 * that the bench (and PODNET_LAB_PHASES=1 on stderr) can say where a lab's time goes.
 */
export interface PhaseTime {
  lab: string;
  phase: string;
  ms: number;
}

const recorded: PhaseTime[] = [];

export async function timePhase<T>(lab: string, phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const ms = Math.round(performance.now() - started);
    recorded.push({ lab, phase, ms });
    if (process.env.PODNET_LAB_PHASES) process.stderr.write(`[lab ${lab}] ${phase}: ${ms} ms\n`);
  }
}

/** The phases recorded so far for a lab, in the order they ended. */
export function phasesOf(lab: string): PhaseTime[] {
  return recorded.filter((entry) => entry.lab === lab);
}
