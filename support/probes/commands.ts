/**
 * Runs one command through the Cluster port and parses its output. A failed command or
 * unparseable output is an environment fault (the probe could not look), never a finding.
 */
import { EnvironmentError, type ExecResult, type ExecTarget } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import type { Observation } from './observation.ts';

/** The probe could not look: the command failed, or said something its parser cannot read. */
export class ProbeFailure extends EnvironmentError {
  constructor(
    message: string,
    readonly result: ExecResult,
    readonly reason: 'exit' | 'unreadable',
  ) {
    super(message);
  }
}

export async function runProbe<T>(
  cluster: Cluster,
  target: ExecTarget,
  argv: string[],
  parse: (stdout: string) => T,
  options: { timeoutMs?: number; acceptExitCodes?: number[]; withStderr?: boolean } = {},
): Promise<Observation<T>> {
  const result = await cluster.exec(target, argv, { timeoutMs: options.timeoutMs ?? 15_000 });
  const accepted = options.acceptExitCodes ?? [0];
  if (!accepted.includes(result.exitCode)) throw probeFailure(result);
  try {
    return { value: parse(options.withStderr ? `${result.stdout}\n${result.stderr}` : result.stdout), evidence: [result] };
  } catch (error) {
    throw new ProbeFailure(
      `could not read the output of \`${argv.join(' ')}\` on ${result.where}: ${(error as Error).message}`,
      result,
      'unreadable',
    );
  }
}

export function probeFailure(result: ExecResult): ProbeFailure {
  const said = (result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' / ');
  const what = result.timedOut ? `timed out after ${result.ms} ms` : `exited ${result.exitCode}`;
  return new ProbeFailure(`\`${result.argv.join(' ')}\` on ${result.where} ${what}: ${said || '(no output)'}`, result, 'exit');
}

/**
 * `ip -j …` where the tool has it, its text form where it does not (busybox's ip has no -j).
 * Only a tool that refuses the option or prints what the parser cannot read is asked again;
 * a timeout or a missing pod is reported as it is.
 */
export async function runJsonProbe<T>(
  cluster: Cluster,
  target: ExecTarget,
  jsonArgv: string[],
  textArgv: string[],
  parse: (stdout: string) => T,
): Promise<Observation<T>> {
  try {
    return await runProbe(cluster, target, jsonArgv, parse);
  } catch (error) {
    const refusedOption =
      error instanceof ProbeFailure &&
      error.reason === 'exit' &&
      !error.result.timedOut &&
      /option|usage|unknown|invalid/i.test(error.result.stderr);
    if (!(error instanceof ProbeFailure) || !(error.reason === 'unreadable' || refusedOption)) throw error;
    const text = await runProbe(cluster, target, textArgv, parse);
    return { value: text.value, evidence: [error.result, ...text.evidence] };
  }
}
