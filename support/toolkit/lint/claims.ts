/**
 * The claim catalogue: Markdown tables of `| ID | claim |` rows, the project's own
 * (features/CLAIMS.md) and the course's (../shared/CLAIMS.md) alike.
 */
import { readFileSync } from 'node:fs';

export const CLAIMS_FILE = 'features/CLAIMS.md';
/** Lets a test lint against another catalogue (a copy with a new claim, say). */
export const CLAIMS_FILE_ENV = 'PODNET_CLAIMS_FILE';

export interface ClaimRow {
  id: string;
  text: string;
  line: number;
}

const ROW = /^\|\s*([A-Z][A-Z0-9]*-\d+)\s*\|\s*(.*?)\s*\|\s*$/;

export function parseClaims(markdown: string): ClaimRow[] {
  return markdown.split('\n').flatMap((line, index) => {
    const row = ROW.exec(line);
    return row ? [{ id: row[1] as string, text: row[2] as string, line: index + 1 }] : [];
  });
}

/** The IDs of a catalogue file; a duplicate ID is an error, since tags could not tell the two apart. */
export function readClaimIds(file: string): Set<string> {
  const ids = new Set<string>();
  for (const row of parseClaims(readFileSync(file, 'utf8'))) {
    if (ids.has(row.id)) throw new Error(`${file}:${row.line}: claim ${row.id} is listed twice`);
    ids.add(row.id);
  }
  return ids;
}
