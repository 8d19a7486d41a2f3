/**
 * How every command of the project ends: a usage error → exit 2 with the usage; an environment
 * error (the machine, the cluster, a lab's state) → exit 2 with its remedy; anything else → 1.
 * No stack trace for either kind of bad input; PODNET_DEBUG=1 prints one for the rest.
 */
import { EnvironmentError } from '../domain.ts';
import { UsageError } from './usage-error.ts';

export interface CliEnding {
  /** Printed after a usage error. */
  usage: string;
  /** Other error classes that mean bad input (an unknown fault name, say). */
  usageErrors?: (abstract new (...args: never[]) => Error)[];
  /** Prefix of every error line: the command's name. */
  name?: string;
}

export function exitCodeOf(error: unknown, ending: CliEnding): { code: number; text: string } {
  const prefix = `${ending.name ? `${ending.name}: ` : ''}error: `;
  const message = error instanceof Error ? error.message : String(error);
  const isUsage =
    error instanceof UsageError ||
    (ending.usageErrors ?? []).some((kind) => error instanceof kind) ||
    /^ERR_PARSE_ARGS/.test((error as { code?: string } | undefined)?.code ?? '');
  if (isUsage) return { code: 2, text: `${prefix}${message}\n${ending.usage}` };
  if (error instanceof EnvironmentError) return { code: 2, text: `${prefix}${message}` };
  const stack = process.env.PODNET_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  return { code: 1, text: `${prefix}${message}${stack}` };
}

/** Runs a command's main function and ends the process the one way every command ends. */
export function runCli(main: () => Promise<number>, ending: CliEnding): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const { code, text } = exitCodeOf(error, ending);
      console.error(text);
      process.exit(code);
    },
  );
}
