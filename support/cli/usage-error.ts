/** Bad command-line input: every command reports it with its usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
