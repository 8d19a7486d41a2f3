/** What a runbook is: the shape every runbook file (runbooks.ts, ipam-runbooks.ts) fills in. */
import type { Gathered } from './evidence.ts';

export interface Runbook {
  title: string;
  /** The claims whose failure is this runbook's symptom. */
  claims: string[];
  /** What to look at, in order; each item is gathered automatically. */
  looks: string[];
  causes(evidence: Gathered): string[];
}
