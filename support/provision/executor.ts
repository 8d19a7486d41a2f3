/**
 * Runs a plan step by step. Guards decide whether to go on; run steps must succeed; wait steps
 * poll their command until the condition holds or their bound runs out, printing what they see.
 * The command runner is injected: execa in real life, a fake in tests.
 */
import { execa } from 'execa';
import { EnvironmentError } from '../domain.ts';
import type { Guard, Step } from './plan.ts';
import { commandLine } from './render.ts';
import { describeCondition, judge } from './waits.ts';
import { parseKindVersion } from './versions.ts';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunRequest {
  input?: string;
  timeoutMs: number;
  /** Show the command's own output as it runs (kind's progress, kubectl's "created" lines). */
  echo: boolean;
}

export type Runner = (argv: string[], request: RunRequest) => Promise<CommandResult>;

export const execaRunner: Runner = async (argv, request) => {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  const result = await execa(file, args, {
    reject: false,
    timeout: request.timeoutMs,
    ...(request.input !== undefined ? { input: request.input } : { stdin: 'ignore' as const }),
    stdout: request.echo ? ['pipe', 'inherit'] : 'pipe',
    stderr: request.echo ? ['pipe', 'inherit'] : 'pipe',
  });
  return {
    exitCode: result.exitCode ?? 127,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? result.message ?? ''),
    timedOut: result.timedOut,
  };
};

/** A step failed after the environment checks passed: exit code 1. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
}

export interface ExecuteOptions {
  runner: Runner;
  log: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called once a step that creates the cluster has started: from then on a failure leaves something to clean up. */
  onClusterMayExist?: () => void;
}

export type Outcome = 'done' | 'nothing-to-do';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function executePlan(steps: Step[], options: ExecuteOptions): Promise<Outcome> {
  const { log } = options;
  for (const [index, step] of steps.entries()) {
    log(`[${index + 1}/${steps.length}] ${step.description}`);
    log(`  $ ${commandLine(step.argv)}${step.kind === 'run' && step.stdin ? ` < (${step.stdin.source})` : ''}`);
    switch (step.kind) {
      case 'guard': {
        const result = await options.runner(step.argv, { timeoutMs: step.timeoutMs, echo: false });
        const verdict = judgeGuard(step.guard, result, step.argv);
        if (verdict === 'stop') return 'nothing-to-do';
        break;
      }
      case 'run': {
        if (step.createsCluster) options.onClusterMayExist?.();
        const result = await options.runner(step.argv, {
          timeoutMs: step.timeoutMs,
          echo: true,
          ...(step.stdin ? { input: step.stdin.text } : {}),
        });
        if (result.exitCode !== 0) {
          const why = result.timedOut ? `timed out after ${Math.round(step.timeoutMs / 1000)}s` : `exited with code ${result.exitCode}`;
          throw new StepFailure(`step ${index + 1} failed: ${step.description}\n  ${commandLine(step.argv)} ${why}${tail(result.stderr)}`);
        }
        break;
      }
      case 'wait':
        await waitFor(step, index, options);
        break;
    }
  }
  return 'done';
}

/** Throws EnvironmentError when the environment cannot take the plan; 'stop' ends the plan early with success. */
export function judgeGuard(guard: Guard, result: CommandResult, argv: string[]): 'continue' | 'stop' {
  if (result.exitCode !== 0) {
    const remedy = guard.type === 'succeeds' ? guard.remedy : `make \`${commandLine(argv)}\` work (is Docker running?)`;
    throw new EnvironmentError(`\`${commandLine(argv)}\` failed (exit code ${result.exitCode})${tail(result.stderr)}`, remedy);
  }
  if (guard.type === 'succeeds') return 'continue';
  if (guard.type === 'kind-version') {
    const found = parseKindVersion(result.stdout);
    if (found !== guard.expected) {
      throw new EnvironmentError(
        `kind is ${found ?? `of an unknown version (${result.stdout.trim() || 'no output'})`}, but ${guard.image} is built by kind ${guard.expected}, the only release that supports it`,
        guard.remedy,
      );
    }
    return 'continue';
  }
  const listed = result.stdout
    .split('\n')
    .map((line) => line.trim())
    .includes(guard.cluster);
  if (guard.type === 'cluster-absent' && listed) {
    throw new EnvironmentError(`a Kind cluster named "${guard.cluster}" already exists`, guard.remedy);
  }
  if (guard.type === 'cluster-present' && !listed) return 'stop';
  return 'continue';
}

async function waitFor(step: Extract<Step, { kind: 'wait' }>, index: number, options: ExecuteOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const start = now();
  const deadline = start + step.waitTimeoutMs;
  const bound = Math.round(step.waitTimeoutMs / 1000);
  let lastSeen = 'nothing yet';
  for (;;) {
    const result = await options.runner(step.argv, { timeoutMs: step.timeoutMs, echo: false });
    const seen =
      result.exitCode === 0
        ? judge(step.until, result.stdout)
        : { done: false, summary: `${step.argv[0]} exited with code ${result.exitCode}${tail(result.stderr, 1)}` };
    lastSeen = seen.summary;
    options.log(`  … ${Math.round((now() - start) / 1000)}s/${bound}s  ${seen.summary}`);
    if (seen.done) return;
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new StepFailure(
        `step ${index + 1} timed out after ${bound}s waiting until ${describeCondition(step.until)}\n` +
          `  last seen: ${lastSeen}\n` +
          `  look closer: ${commandLine(step.diagnose)}`,
      );
    }
    await sleep(Math.min(step.intervalMs, remaining));
  }
}

function tail(stderr: string, lines = 5): string {
  const last = stderr.trim().split('\n').filter(Boolean).slice(-lines);
  return last.length ? `: ${last.join(' | ')}` : '';
}
