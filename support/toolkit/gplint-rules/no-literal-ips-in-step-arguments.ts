/**
 * gplint rule: no literal IPv4 address or CIDR in what a step receives besides its text — data
 * tables, doc strings and Examples cells — which no-restricted-patterns does not read.
 */
import type { GherkinData, RuleError } from 'gplint';
import { ALLOWED_IPS, literalIps } from '../lint/literal-ip.ts';

export const name = 'no-literal-ips-in-step-arguments';
export const availableConfigs = { allow: ALLOWED_IPS };

type Feature = NonNullable<GherkinData['feature']>;
type Scenario = NonNullable<Feature['children'][number]['scenario']>;
type Row = Scenario['examples'][number]['tableBody'][number];
interface Located {
  text: string;
  line: number;
  column: number;
}

export function run({ feature }: GherkinData, config: Partial<typeof availableConfigs> = {}): RuleError[] {
  const allowed = config.allow ?? ALLOWED_IPS;
  return argumentsOf(feature).flatMap(({ text, line, column }) =>
    literalIps(text, allowed).map((ip) => ({
      message: `literal IP address ${ip} in a step argument: name the pod or node by role, or read the value from the cluster`,
      rule: name,
      line,
      column,
    })),
  );
}

function argumentsOf(feature: Feature | undefined): Located[] {
  const found: Located[] = [];
  const cells = (row: Row) => row.cells.map((cell) => ({ text: cell.value, line: cell.location.line, column: cell.location.column ?? 0 }));
  const visit = (children: Feature['children']) => {
    for (const child of children) {
      if (child.rule) visit(child.rule.children as Feature['children']);
      const container = child.background ?? child.scenario;
      for (const step of container?.steps ?? []) {
        for (const row of step.dataTable?.rows ?? []) found.push(...cells(row));
        if (step.docString) {
          const start = step.docString.location.line + 1;
          step.docString.content.split('\n').forEach((text, i) => found.push({ text, line: start + i, column: 0 }));
        }
      }
      for (const examples of child.scenario?.examples ?? []) {
        for (const row of [...(examples.tableHeader ? [examples.tableHeader] : []), ...examples.tableBody]) found.push(...cells(row));
      }
    }
  };
  visit(feature?.children ?? []);
  return found;
}
