/**
 * Cucumber run many times in one process: the support code is loaded once, then each run
 * executes the given feature files and leaves its Allure results in a folder of its own,
 * read back as the e2e runner reads them (so a matrix result means what a run's result means).
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfiguration, loadSupport, runCucumber, type IRunConfiguration } from '@cucumber/cucumber/api';
import { readResults, type ScenarioResult } from '../run/summary.ts';
import { newResultsFolder } from './results-folder.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface RunOutcome {
  results: ScenarioResult[];
  /** The text of every diagnosis the run attached (one per failed scenario). */
  diagnoses: string[];
}

type Support = Awaited<ReturnType<typeof loadSupport>>;

export class InProcessCucumber {
  private constructor(
    private readonly configuration: IRunConfiguration,
    private readonly support: Support,
  ) {}

  static async load(): Promise<InProcessCucumber> {
    const { runConfiguration } = await loadConfiguration({ provided: {} }, { cwd: ROOT });
    const support = await loadSupport(runConfiguration, { cwd: ROOT });
    return new InProcessCucumber(runConfiguration, support);
  }

  /** Runs the scenarios of `paths` (relative to the project) and reads back what each ended as. */
  async run(paths: string[]): Promise<RunOutcome> {
    // A worker's parent is the matrix runner: its pid names the folder (results-folder.ts).
    const resultsDir = newResultsFolder(process.ppid);
    try {
      await runCucumber(
        {
          ...this.configuration,
          sources: { ...this.configuration.sources, paths },
          formats: {
            stdout: 'summary',
            files: { [join(resultsDir, '.cucumber-allure.log')]: 'allure-cucumberjs/reporter' },
            publish: false,
            options: {
              resultsDir,
              labels: [{ name: 'claim', pattern: [/^@claim:/] }],
            } as unknown as IRunConfiguration['formats']['options'],
          },
          support: this.support,
        },
        { cwd: ROOT, stdout: discard(), stderr: process.stderr, env: process.env },
      );
      return { results: readResults(resultsDir), diagnoses: diagnosesIn(resultsDir) };
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  }
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** An Allure item's attachments, its steps' included (allure-cucumberjs files a hook's attachments under a step of their own). */
interface Attaching {
  attachments?: { name: string; source: string }[];
  steps?: Attaching[];
}
const attachmentsOf = (items: Attaching[] = []): { name: string; source: string }[] =>
  items.flatMap((item) => [...(item.attachments ?? []), ...attachmentsOf(item.steps)]);

/** The text of every diagnosis attached to a scenario of the run (the After hook names it diagnosis.txt). */
function diagnosesIn(resultsDir: string): string[] {
  const files = readdirSync(resultsDir);
  const sources = files
    .filter((name) => name.endsWith('-container.json'))
    .flatMap((file) => attachmentsOf((JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as { afters?: Attaching[] }).afters))
    .filter((attachment) => attachment.name === 'diagnosis.txt')
    .map((attachment) => attachment.source);
  return sources.map((source) => readFileSync(join(resultsDir, source), 'utf8'));
}
