/**
 * A network namespace of a test file's own, for property tests that run the real programs:
 * named after the file's prefix and the test's PID, made (with its setup commands) before the
 * tests and deleted after them.
 */
import { execFileSync } from 'node:child_process';

export interface ThrowawayNetns {
  readonly name: string;
  /** Runs argv in the namespace; its stdout. A command that fails throws, with its stderr. */
  run(argv: string[], input?: string): string;
  create(setup?: string[][]): void;
  remove(): void;
}

export function throwawayNetns(prefix: string): ThrowawayNetns {
  const name = `${prefix}-${process.pid}`;
  const run = (argv: string[], input?: string) =>
    execFileSync('ip', ['netns', 'exec', name, ...argv], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  return {
    name,
    run,
    create(setup = []) {
      execFileSync('ip', ['netns', 'add', name]);
      for (const argv of setup) run(argv);
    },
    remove() {
      execFileSync('ip', ['netns', 'delete', name]);
    },
  };
}
