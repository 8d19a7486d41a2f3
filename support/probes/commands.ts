/**
 * Runs one command through the Cluster port and parses its output. A failed command or
 * unparseable output is an environment fault (the probe could not look), never a finding.
 */
import { EnvironmentError, type Cluster, type ExecResult, type ExecTarget } from '../cluster/cluster.ts';
import type { Observation } from './observation.ts';

export async function runProbe<T>(
  cluster: Cluster,
  target: ExecTarget,
  argv: string[],
  parse: (stdout: string) => T,
  options: { timeoutMs?: number; acceptExitCodes?: number[] } = {},
): Promise<Observation<T>> {
  const result = await cluster.exec(target, argv, { timeoutMs: options.timeoutMs ?? 15_000 });
  const accepted = options.acceptExitCodes ?? [0];
  if (!accepted.includes(result.exitCode)) throw probeFailure(result);
  try {
    return { value: parse(result.stdout), evidence: [result] };
  } catch (error) {
    throw new EnvironmentError(`could not read the output of \`${argv.join(' ')}\` on ${result.where}: ${(error as Error).message}`);
  }
}

export function probeFailure(result: ExecResult): EnvironmentError {
  const said = (result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' / ');
  return new EnvironmentError(
    `\`${result.argv.join(' ')}\` on ${result.where} ${result.timedOut ? `timed out after ${result.ms} ms` : `exited ${result.exitCode}`}: ${said || '(no output)'}`,
  );
}
