/** The diagnosis attached to a failed scenario: the runbooks that fit, what they looked at, the likely causes. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Gathered } from './evidence.ts';
import { gather } from './evidence.ts';
import { runbooksFor } from './runbooks.ts';
import { type Runbook } from './runbook.ts';
import { SERVICE_CLAIMS, diagnoseServices } from './services.ts';
import { DNS_CLAIMS, diagnoseDns } from './dns.ts';
import { MULTUS_CLAIMS, diagnoseMultus } from './multus.ts';
import { WIREGUARD_CLAIMS, diagnoseWireguard } from './wireguard.ts';
import { QOS_CLAIMS, diagnoseQos } from './qos.ts';

export interface Diagnosis {
  text: string;
  evidence: Gathered['evidence'];
  /** What the API answered (the pods, the blocks; on a live cluster the events), attached as JSON. */
  listings: { fileName: string; mediaType: string; body: string }[];
}

function listingsOf(evidence: Gathered): Diagnosis['listings'] {
  const json = (name: string, value: unknown) => ({
    fileName: `diagnosis-${name}.json`,
    mediaType: 'application/json',
    body: JSON.stringify(value, null, 2),
  });
  return [json('pods', evidence.pods), json('ipam-blocks', evidence.blocks), ...(evidence.events ? [json('events', evidence.events)] : [])];
}

export function formatDiagnosis(runbooks: Runbook[], evidence: Gathered): string {
  const subject = [
    evidence.source && `from ${evidence.source.name} (${evidence.source.ip}) on ${evidence.source.node}`,
    evidence.target && `to ${evidence.target.name} (${evidence.target.ip}) on ${evidence.target.node}`,
  ]
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
export async function diagnose(
  cluster: Cluster,
  claims: string[],
  source: PodInfo | undefined,
  target: PodInfo | undefined,
): Promise<Diagnosis> {
  const runbooks = runbooksFor(claims);
  const specific = merge(
    claims.some((claim) => SERVICE_CLAIMS.test(claim)) ? await diagnoseServices(cluster, source) : undefined,
    claims.some((claim) => DNS_CLAIMS.test(claim)) ? await diagnoseDns(cluster, source) : undefined,
    claims.some((claim) => MULTUS_CLAIMS.test(claim)) ? await diagnoseMultus(cluster, source) : undefined,
    claims.some((claim) => WIREGUARD_CLAIMS.test(claim)) ? await diagnoseWireguard(cluster) : undefined,
    claims.some((claim) => QOS_CLAIMS.test(claim)) ? await diagnoseQos(cluster) : undefined,
  );
  const evidence = await gather(cluster, source, target);
  const text = formatDiagnosis(runbooks, evidence);
  const listings = listingsOf(evidence);
  return specific
    ? { text: `${text}\n\n${specific.text}`, evidence: [...evidence.evidence, ...specific.evidence], listings }
    : { text, evidence: evidence.evidence, listings };
}

function merge(...parts: (Pick<Diagnosis, 'text' | 'evidence'> | undefined)[]): Pick<Diagnosis, 'text' | 'evidence'> | undefined {
  const present = parts.filter((part): part is Pick<Diagnosis, 'text' | 'evidence'> => part !== undefined);
  if (present.length === 0) return undefined;
  return { text: present.map((part) => part.text).join('\n\n'), evidence: present.flatMap((part) => part.evidence) };
}
