/**
 * Runs cucumber in this process through its JavaScript API, so that loading the support code
 * (the slowest part of starting) can overlap the target's set-up. Before either, the selected
 * scenarios are planned, to learn which topologies the run needs.
 */
import { readFileSync } from 'node:fs';
import { loadConfiguration, loadSources, loadSupport, runCucumber, type IRunOptions } from '@cucumber/cucumber/api';
import type { E2eOptions } from './options.ts';
import { tagExpression } from './options.ts';
import { topologyOfTags } from '../topology/catalogue.ts';

export interface PreparedRun {
  run(): Promise<boolean>;
}

export interface ConfiguredRun {
  /** The topologies of the selected scenarios, in first-use order. */
  topologies: string[];
  /** Loads the support code: the run is ready once this resolves. */
  prepare(): Promise<PreparedRun>;
}

export async function configureCucumber(options: E2eOptions): Promise<ConfiguredRun> {
  const tags = tagExpression(options);
  const { runConfiguration } = await loadConfiguration({
    provided: {
      ...(tags ? { tags } : {}),
      ...(options.parallel > 1 ? { parallel: options.parallel } : {}),
    },
  });
  // Paths given here replace the profile's (cucumber would otherwise add them to it).
  if (options.paths.length) runConfiguration.sources.paths = options.paths;
  const { plan } = await loadSources(runConfiguration.sources);
  const topologies = [...new Set([...new Set(plan.map((pickle) => pickle.uri))].map((uri) => topologyOfTags(featureTags(readFileSync(uri, 'utf8')))))];
  return {
    topologies,
    async prepare() {
      // Loaded here even with --parallel: the coordinator needs it too, and its workers load their own.
      const support = await loadSupport(runConfiguration);
      return {
        async run() {
          const configuration: IRunOptions = { ...runConfiguration, support };
          const { success } = await runCucumber(configuration);
          return success;
        },
      };
    },
  };
}

/** The tags written above a feature's `Feature:` line (where a topology is named). */
export function featureTags(text: string): string[] {
  const tags: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (/^Feature:/.test(trimmed)) return tags;
    if (trimmed.startsWith('@')) tags.push(...trimmed.split(/\s+/).filter((word) => word.startsWith('@')));
  }
  return tags;
}
