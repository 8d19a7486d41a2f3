/** The diagnosis attached to a failed scenario: the runbooks that fit, what they looked at, the likely causes. */
import type { Cluster, PodInfo } from '../cluster/cluster.ts';
import type { Gathered } from './evidence.ts';
import { gather } from './evidence.ts';
import { runbooksFor, type Runbook } from './runbooks.ts';

export interface Diagnosis {
  text: string;
  evidence: Gathered['evidence'];
}

export function formatDiagnosis(runbooks: Runbook[], evidence: Gathered): string {
  const subject = [evidence.source && `from ${evidence.source.name} (${evidence.source.ip}) on ${evidence.source.node}`, evidence.target && `to ${evidence.target.name} (${evidence.target.ip}) on ${evidence.target.node}`]
    .filter(Boolean)
    .join(' ');
  return runbooks
    .map((runbook) => {
      const causes = runbook.causes(evidence);
      return [
        `RUNBOOK: ${runbook.title}`,
        subject ? `traffic: ${subject}` : undefined,
        'looked at (the outputs are attached):',
        ...runbook.looks.map((item) => `  - ${item}`),
        causes.length ? 'likely cause:' : 'the evidence does not point to one cause; read the attached outputs',
        ...causes.map((cause) => `  → ${cause}`),
      ]
        .filter((line) => line !== undefined)
        .join('\n');
    })
    .join('\n\n');
}

/** Runs the runbooks that fit the failed claims (the default one where none does). */
export async function diagnose(cluster: Cluster, claims: string[], source: PodInfo | undefined, target: PodInfo | undefined): Promise<Diagnosis> {
  const runbooks = runbooksFor(claims);
  const evidence = await gather(cluster, source, target);
  return { text: formatDiagnosis(runbooks, evidence), evidence: evidence.evidence };
}
