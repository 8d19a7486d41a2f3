/** `npm run e2e` options: parsed with node:util parseArgs, turned into cucumber arguments. */
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/usage-error.ts';
import { TARGETS, isTargetKind } from '../target.ts';

export interface E2eOptions {
  target: string | undefined;
  tags: string | undefined;
  claims: string[];
  keep: boolean;
  parallel: number;
  lab: string | undefined;
  namespace: string | undefined;
  context: string | undefined;
  kubeconfig: string | undefined;
  report: boolean;
  /** Faults to break the embedded lab with (fault injection). */
  faults: string[];
  /** Feature files or folders; empty means every feature. */
  paths: string[];
  /** Run only the scenarios that failed in the last run (cucumber's rerun file). */
  rerun: boolean;
  /** -h / --help: print the usage and run nothing. */
  help: boolean;
}

export const E2E_USAGE = `usage: npm run e2e [-- options] [feature paths…]
  --target kind|netns   choose the target (default: E2E_TARGET, else auto: kind if a kubeconfig is configured)
  --tags <expression>   run only the matching scenarios, e.g. --tags "@lesson-03 and not @live-only"
  --claim <ID>          run only this claim's scenarios (repeatable), e.g. --claim L03-07
  --parallel <n>        run scenarios in n workers against one target
  --keep                leave the embedded lab (or the suite's workloads on a cluster) in place
  --lab <name>          the embedded lab's name (default: the Kind config's cluster name)
  --namespace <ns>      kind target: the namespace of the suite's workloads (default podnet-e2e)
  --kubeconfig <file>   kind target: the kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)
  --context <name>      kind target: the kubeconfig context to use
  --fault <name>        embedded lab only: break the lab on purpose (repeatable; npm run lab:fault -- --list)
  --rerun               run only the scenarios that failed last time (reports/rerun.txt)
  --no-report           skip generating the HTML report
  -h, --help            print this and run nothing
  Scenarios tagged @flaky are retried (up to twice); every attempt shows in the report.
  Reports go to reports/ (PODNET_REPORTS_DIR overrides).`;

export { UsageError };

const CLAIM_ID = /^(L\d{2}|NET)-\d{2}$/;

export function parseE2eArgs(argv: string[]): E2eOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: 'string' },
        tags: { type: 'string' },
        claim: { type: 'string', multiple: true },
        parallel: { type: 'string' },
        keep: { type: 'boolean', default: false },
        lab: { type: 'string' },
        namespace: { type: 'string' },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        'no-report': { type: 'boolean', default: false },
        fault: { type: 'string', multiple: true },
        rerun: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.target !== undefined && !isTargetKind(values.target)) {
    throw new UsageError(`--target takes ${Object.keys(TARGETS).join(' or ')}, got "${values.target}"`);
  }
  if (values.rerun && (positionals.length > 0 || values.tags !== undefined || (values.claim ?? []).length > 0)) {
    throw new UsageError('--rerun runs what failed last time; it does not combine with --tags, --claim or feature paths');
  }
  const parallel = values.parallel === undefined ? 0 : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 0 || parallel > 64)
    throw new UsageError(`--parallel takes a whole number from 0 to 64, got "${values.parallel}"`);
  const claims = values.claim ?? [];
  const badClaim = claims.find((claim) => !CLAIM_ID.test(claim));
  if (badClaim) throw new UsageError(`--claim takes a claim ID like L03-07 or NET-02, got "${badClaim}"`);
  return {
    target: values.target,
    tags: values.tags,
    claims,
    keep: values.keep ?? false,
    parallel,
    lab: values.lab,
    namespace: values.namespace,
    context: values.context,
    kubeconfig: values.kubeconfig,
    report: !values['no-report'],
    faults: values.fault ?? [],
    paths: positionals,
    rerun: values.rerun ?? false,
    help: values.help ?? false,
  };
}

/** The tag expression cucumber gets: the user's, narrowed to the claims asked for. */
export function tagExpression(options: Pick<E2eOptions, 'tags' | 'claims'>): string | undefined {
  const claims = options.claims.length > 0 ? `(${options.claims.map((claim) => `@claim:${claim}`).join(' or ')})` : undefined;
  const parts = [options.tags ? `(${options.tags})` : undefined, claims].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}
