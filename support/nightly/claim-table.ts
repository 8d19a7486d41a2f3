/**
 * The nightly's claim × cell table for the job summary: one row per claim, one column per
 * matrix cell (Kubernetes × Calico × encapsulation), read from each cell's Allure results
 * (the `claim` label allure-cucumberjs sets from @claim:<ID>, the test's status, and the
 * skip reason). A claim with several scenarios shows its worst one.
 *   node --import tsx support/nightly/claim-table.ts <allure-results dir>...          the Markdown table
 *   node --import tsx support/nightly/claim-table.ts --cells <allure-results dir>... the cells' names, comma-separated
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Status = 'failed' | 'broken' | 'passed' | 'skipped' | 'unknown';

/** Worst first: one failing scenario makes the claim fail in that cell. */
const SEVERITY: Status[] = ['failed', 'broken', 'unknown', 'passed', 'skipped'];
const MARK: Record<Status, string> = { failed: '❌ failed', broken: '⚠️ broken', unknown: '❔', passed: '✅', skipped: '⏭️ skipped' };

export interface ClaimOutcome {
  status: Status;
  /** Why it was skipped or failed, first line. */
  reason: string | undefined;
}

export interface CellResults {
  cell: string;
  claims: Map<string, ClaimOutcome>;
}

interface AllureResult {
  status?: string;
  statusDetails?: { message?: string };
  labels?: { name: string; value: string }[];
}

function statusOf(value: string | undefined): Status {
  return value === 'passed' || value === 'failed' || value === 'broken' || value === 'skipped' ? value : 'unknown';
}

/** Folds one Allure result into a cell's claims. */
export function addResult(claims: Map<string, ClaimOutcome>, result: AllureResult): void {
  const claim = result.labels?.find((label) => label.name === 'claim')?.value;
  if (!claim) return;
  const outcome = { status: statusOf(result.status), reason: result.statusDetails?.message?.split('\n')[0]?.trim() || undefined };
  const seen = claims.get(claim);
  if (!seen || SEVERITY.indexOf(outcome.status) < SEVERITY.indexOf(seen.status)) claims.set(claim, outcome);
}

/** A cell is named by its results' `cell` label (tag-cell.ts), else by its directory. */
export async function readCell(directoryName: string, dir: string): Promise<CellResults> {
  const claims = new Map<string, ClaimOutcome>();
  let cell = directoryName;
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('-result.json')).sort()) {
    const result = JSON.parse(await readFile(join(dir, name), 'utf8')) as AllureResult;
    cell = result.labels?.find((label) => label.name === 'cell')?.value ?? cell;
    addResult(claims, result);
  }
  return { cell, claims };
}

function byClaimId(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

/** Markdown: the table, then the reasons of every cell that did not pass. */
export function renderClaimTable(cells: CellResults[]): string {
  const claims = [...new Set(cells.flatMap((cell) => [...cell.claims.keys()]))].sort(byClaimId);
  const header = `| claim | ${cells.map((cell) => escapeCell(cell.cell)).join(' | ')} |`;
  const rule = `|---|${cells.map(() => '---').join('|')}|`;
  const rows = claims.map(
    (claim) =>
      `| ${claim} | ${cells.map((cell) => MARK[cell.claims.get(claim)?.status ?? 'unknown'].replace('❔', '— not run')).join(' | ')} |`,
  );
  const notes = cells.flatMap((cell) =>
    [...cell.claims]
      .filter(([, outcome]) => outcome.status !== 'passed' && outcome.reason)
      .sort(([a], [b]) => byClaimId(a, b))
      .map(([claim, outcome]) => `- ${claim} on ${cell.cell} (${outcome.status}): ${escapeCell(outcome.reason as string)}`),
  );
  const totals = cells.map((cell) => {
    const count = (status: Status) => [...cell.claims.values()].filter((outcome) => outcome.status === status).length;
    return `${cell.cell}: ${count('passed')} passed, ${count('failed')} failed, ${count('broken')} broken, ${count('skipped')} skipped`;
  });
  return [
    '## Claims × cells',
    '',
    header,
    rule,
    ...rows,
    '',
    ...totals.map((line) => `- ${line}`),
    ...(notes.length ? ['', '### Why', '', ...notes] : []),
    '',
  ].join('\n');
}

/** One cell per Allure results directory (named by its `cell` label, else by the directory holding it). */
export async function readCells(dirs: string[]): Promise<CellResults[]> {
  return Promise.all(dirs.map((dir) => readCell(basename(dir) === 'allure-results' ? basename(dirname(dir)) : basename(dir), dir)));
}

export async function claimTableOf(dirs: string[]): Promise<string> {
  return renderClaimTable(await readCells(dirs));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const namesOnly = args[0] === '--cells';
  const dirs = namesOnly ? args.slice(1) : args;
  if (dirs.length === 0) {
    process.stderr.write('usage: claim-table.ts [--cells] <allure-results dir>...\n');
    process.exitCode = 2;
  } else if (namesOnly) {
    process.stdout.write(`${(await readCells(dirs)).map((cell) => cell.cell).join(',')}\n`);
  } else {
    process.stdout.write(await claimTableOf(dirs));
  }
}
