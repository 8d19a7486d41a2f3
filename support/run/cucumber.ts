/**
 * Runs cucumber in this process through its JavaScript API, so that loading the support code
 * (the slowest part of starting) can overlap the target's set-up. The profile is cucumber.json's
 * default; the reports' places come from support/run/formats.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfiguration, loadSources, loadSupport, runCucumber, type IRunConfiguration, type IRunOptions } from '@cucumber/cucumber/api';
import { UsageError } from '../cli/usage-error.ts';
import { reportFormats } from './formats.ts';
import type { E2eOptions } from './options.ts';
import { tagExpression } from './options.ts';
import { RERUN_FILE } from './report.ts';
import { topologyOfTags } from '../topology/catalogue.ts';
import { featureTags } from '../topology/features.ts';
import { labLessonsFor } from './lessons-selected.ts';

export interface PreparedRun {
  /** How many scenarios the run selected. */
  scenarios: number;
  run(): Promise<boolean>;
}

/** The scenarios (file:line) the last run's rerun formatter listed; a usage error when there are none. */
export function rerunPaths(file = RERUN_FILE): string[] {
  const paths = existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/).filter(Boolean) : [];
  if (paths.length === 0)
    throw new UsageError(`--rerun: no scenario failed in the last run (${file} is ${existsSync(file) ? 'empty' : 'missing'})`);
  return paths;
}

export interface CucumberPlan {
  configuration: IRunConfiguration;
  /** How many scenarios the run selected (at least one). */
  scenarios: number;
  /** The topologies of the selected scenarios, in first-use order: one lab each on the embedded target. */
  topologies: string[];
  /** The lessons whose workloads the embedded labs carry (run/lessons-selected.ts); undefined: every lesson's. */
  lessons: string[] | undefined;
}

/** The run's configuration and the scenarios it selects: quick, and done before anything is set up, so bad input builds nothing. */
export async function planCucumber(options: E2eOptions): Promise<CucumberPlan> {
  const tags = tagExpression(options);
  // Read before the run: the rerun formatter rewrites the file.
  const paths = options.rerun ? rerunPaths() : options.paths;
  const { runConfiguration } = await loadConfiguration({
    provided: {
      ...(tags ? { tags } : {}),
      ...(options.parallel > 1 ? { parallel: options.parallel } : {}),
    },
  });
  // Paths given here replace the profile's (cucumber would otherwise add them to it).
  if (paths.length) runConfiguration.sources.paths = paths;
  runConfiguration.formats = reportFormats();
  const pickles = await selectedScenarios(runConfiguration.sources, options);
  const features = [...new Set(pickles.map((pickle) => pickle.uri))];
  const topologies = [...new Set(features.map((uri) => topologyOfTags(featureTags(readFileSync(uri, 'utf8')))))];
  return { configuration: runConfiguration, scenarios: pickles.length, topologies, lessons: labLessonsFor(features) };
}

/** Loads the support code (the slow part), to overlap the target's set-up. */
export async function prepareCucumber(plan: CucumberPlan): Promise<PreparedRun> {
  // Loaded here even with --parallel: the coordinator needs it too, and its workers load their own.
  const support = await loadSupport(plan.configuration);
  return {
    scenarios: plan.scenarios,
    async run() {
      const { success } = await runCucumber({ ...plan.configuration, support });
      return success;
    },
  };
}

/** A tag expression cucumber cannot parse, or a selection of no scenario, is bad input: said before anything runs. */
async function selectedScenarios(sources: IRunOptions['sources'], options: E2eOptions): Promise<{ uri: string }[]> {
  let plan;
  try {
    plan = await loadSources(sources);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new UsageError(/[Tt]ag expression/.test(cause) ? `--tags: ${cause}` : cause);
  }
  if (plan.errors.length > 0)
    throw new UsageError(`the feature files cannot be read: ${plan.errors.map((error) => JSON.stringify(error)).join('; ')}`);
  if (plan.plan.length === 0) {
    const what = [
      options.tags && `--tags "${options.tags}"`,
      options.claims.length && `--claim ${options.claims.join(' --claim ')}`,
      options.paths.length && `paths ${options.paths.join(' ')}`,
    ]
      .filter(Boolean)
      .join(', ');
    throw new UsageError(`no scenario matches ${what || 'the selection'}; nothing to run`);
  }
  return plan.plan;
}
