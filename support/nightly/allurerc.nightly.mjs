// Allure Report 3 for the whole nightly matrix: one report, one environment per cell
// (Kubernetes × Calico × encapsulation), and history carried from night to night, so that a
// claim that turns red on a new Calico version shows as a regression in its cell.
// Each cell's run labels its results `cell=<name>` (ALLURE_LABEL_cell in nightly.yml);
// NIGHTLY_CELLS lists the cells, comma-separated. History: NIGHTLY_HISTORY (a JSONL file the
// workflow restores before and saves after).
import { defineConfig } from 'allure';

/** Allure 3 takes only latin letters, digits, `_` and `-` in an environment's id; the name is free. */
export function environmentId(cell) {
  return cell.replace(/[^A-Za-z0-9_-]+/g, '_');
}

export function nightlyEnvironments(cells) {
  return Object.fromEntries(
    cells.map((cell) => [
      environmentId(cell),
      { name: cell, matcher: ({ labels }) => labels.some((label) => label.name === 'cell' && label.value === cell) },
    ]),
  );
}

const cells = (process.env.NIGHTLY_CELLS ?? '')
  .split(',')
  .map((cell) => cell.trim())
  .filter(Boolean);

export default defineConfig({
  name: 'podnet-e2e nightly — Kubernetes × Calico',
  output: './reports/nightly/allure-report',
  historyPath: process.env.NIGHTLY_HISTORY ?? './reports/nightly/history.jsonl',
  historyLimit: 30,
  environments: nightlyEnvironments(cells),
  plugins: {
    awesome: {
      options: {
        reportLanguage: 'en',
        groupBy: ['epic', 'feature'],
      },
    },
  },
});
