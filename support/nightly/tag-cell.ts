/**
 * Marks every Allure result of one matrix cell as that cell's: a `cell` label (what the nightly
 * report's environments match on) and a `cell` parameter (Allure 3 keys history by test case
 * and parameters: without it, the cells of one claim would overwrite each other's history).
 *   node --import tsx support/nightly/tag-cell.ts <allure-results dir> <cell name>
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Named {
  name: string;
  value: string;
}

export function tagResult(result: { labels?: Named[]; parameters?: Named[] }, cell: string): void {
  result.labels = [...(result.labels ?? []).filter((label) => label.name !== 'cell'), { name: 'cell', value: cell }];
  result.parameters = [...(result.parameters ?? []).filter((parameter) => parameter.name !== 'cell'), { name: 'cell', value: cell }];
}

export async function tagCell(dir: string, cell: string): Promise<number> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('-result.json'));
  for (const file of files) {
    const result = JSON.parse(await readFile(join(dir, file), 'utf8'));
    tagResult(result, cell);
    await writeFile(join(dir, file), JSON.stringify(result));
  }
  return files.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, cell] = process.argv.slice(2);
  if (!dir || !cell) {
    process.stderr.write('usage: tag-cell.ts <allure-results dir> <cell name>\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`tagged ${await tagCell(dir, cell)} results as cell ${cell}\n`);
  }
}
