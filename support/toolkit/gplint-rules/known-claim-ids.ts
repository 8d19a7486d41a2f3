/** gplint rule: every @claim:<ID> names a claim of the catalogue (features/CLAIMS.md). */
import { resolve } from 'node:path';
import type { GherkinData, RuleError } from 'gplint';
import { CLAIMS_FILE, CLAIMS_FILE_ENV, readClaimIds } from '../lint/claims.ts';
import { scenarioTagSets } from '../lint/tag-sets.ts';

export const name = 'known-claim-ids';
export const availableConfigs = { catalogue: CLAIMS_FILE };

const CLAIM_TAG = /^@claim:(.*)$/;
const catalogues = new Map<string, Set<string>>();

export function run({ feature }: GherkinData, config: Partial<typeof availableConfigs> = {}): RuleError[] {
  const file = process.env[CLAIMS_FILE_ENV] ?? config.catalogue ?? CLAIMS_FILE;
  const known = catalogues.get(file) ?? readClaimIds(resolve(file));
  catalogues.set(file, known);
  const errors: RuleError[] = [];
  const reported = new Set<string>();
  for (const scenario of scenarioTagSets(feature)) {
    for (const tag of scenario.tags) {
      const id = CLAIM_TAG.exec(tag)?.[1];
      const key = `${scenario.line}:${tag}`;
      if (id === undefined || known.has(id) || reported.has(key)) continue;
      reported.add(key);
      errors.push({
        message: `${tag}: no claim ${id || '(empty)'} in ${file}; add the claim's row there first`,
        rule: name,
        line: scenario.line,
        column: scenario.column,
      });
    }
  }
  return errors;
}
