/**
 * Runs cucumber in this process through its JavaScript API, so that loading the support code
 * (the slowest part of starting) can overlap the target's set-up.
 */
import { loadConfiguration, loadSupport, runCucumber, type IRunOptions } from '@cucumber/cucumber/api';
import type { E2eOptions } from './options.ts';
import { tagExpression } from './options.ts';

export interface PreparedRun {
  run(): Promise<boolean>;
}

export async function prepareCucumber(options: E2eOptions): Promise<PreparedRun> {
  const tags = tagExpression(options);
  const { runConfiguration } = await loadConfiguration({
    provided: {
      ...(tags ? { tags } : {}),
      ...(options.parallel > 1 ? { parallel: options.parallel } : {}),
    },
  });
  // Paths given here replace the profile's (cucumber would otherwise add them to it).
  if (options.paths.length) runConfiguration.sources.paths = options.paths;
  // Loaded here even with --parallel: the coordinator needs it too, and its workers load their own.
  const support = await loadSupport(runConfiguration);
  return {
    async run() {
      const configuration: IRunOptions = { ...runConfiguration, support };
      const { success } = await runCucumber(configuration);
      return success;
    },
  };
}
