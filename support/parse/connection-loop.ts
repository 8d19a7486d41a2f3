/**
 * What the connection loop of probes/services.ts prints: `ok` for each connection that
 * succeeded, then `failed` once for the one that did not (the loop stops there). Any other
 * line, or a line after `failed`, is an error naming it.
 */
import { ParseError } from './errors.ts';

export interface Connections {
  succeeded: number;
  failed: number;
}

export function parseConnectionLoop(text: string): Connections {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    if (line !== 'ok' && line !== 'failed') throw new ParseError('parseConnectionLoop', 'neither "ok" nor "failed"', line, index + 1);
    if (line === 'failed' && index !== lines.length - 1)
      throw new ParseError('parseConnectionLoop', 'a line after "failed", where the loop stops', lines[index + 1] ?? '', index + 2);
  });
  const failed = lines.at(-1) === 'failed' ? 1 : 0;
  return { succeeded: lines.length - failed, failed };
}
