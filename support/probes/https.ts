/** An HTTPS request from a node or pod, as the lesson makes it: `curl -k` with a bounded wait. */
import type { ExecResult, ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Observation } from './observation.ts';

export interface Fetched {
  url: string;
  /** curl's exit code: 0 answered, 28 timed out, … */
  exitCode: number;
  body: string;
  /** What curl said on stderr (its error). */
  error: string;
}

/** curl's exit code when the operation timed out. */
export const CURL_TIMED_OUT = 28;

export async function fetchInsecure(cluster: Cluster, from: ExecTarget, url: string, maxTimeS: number): Promise<Observation<Fetched>> {
  const result: ExecResult = await cluster.exec(from, ['curl', '-k', '-sS', '--max-time', String(maxTimeS), url], {
    timeoutMs: (maxTimeS + 10) * 1000,
  });
  return { value: { url, exitCode: result.exitCode, body: result.stdout, error: result.stderr.trim() }, evidence: [result] };
}
