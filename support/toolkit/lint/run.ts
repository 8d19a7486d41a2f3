/**
 * `npm run lint:features`: gplint with the project's configuration and rules, in a child
 * process of its own, plus a cucumber dry run for steps that no definition (or more than one)
 * matches. Both report as findings.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSuite } from '../suite.ts';
import { CLAIMS_FILE_ENV } from './claims.ts';
import { sortFindings, stepFindings, type Finding } from './findings.ts';

export const RULES_DIR = 'support/toolkit/gplint-rules';
export const DEFAULT_PATHS = ['features'];

export interface LintOptions {
  /** The project root: where .gplintrc and cucumber.json are. */
  root: string;
  /** Feature files or folders; the features/ folder by default. */
  paths: string[];
  /** Another claim catalogue than the configured one. */
  claimsFile?: string | undefined;
}

export interface LintResult {
  files: number;
  findings: Finding[];
}

export class LintToolError extends Error {
  override readonly name = 'LintToolError';
}

export async function lintFeatures(options: LintOptions): Promise<LintResult> {
  const paths = (options.paths.length > 0 ? options.paths : DEFAULT_PATHS).map((path) => resolve(options.root, path));
  const [gplint, suite] = await Promise.all([runGplint(options, paths), loadSuite({ cwd: options.root, paths: featureGlobs(paths) })]);
  const steps = stepFindings(suite.problems, suite.definitions).map((finding) => ({
    ...finding,
    uri: shownPath(options.root, resolve(options.root, finding.uri)),
  }));
  return { files: gplint.files, findings: sortFindings([...gplint.findings, ...steps]) };
}

/** Relative to the project inside it, absolute outside it. */
function shownPath(root: string, file: string): string {
  const inside = relative(root, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

/** cucumber takes files and globs; a folder means every feature under it. */
function featureGlobs(paths: string[]): string[] {
  return paths.map((path) => (path.endsWith('.feature') ? path : join(path, '**/*.feature')));
}

interface GplintFileResult {
  filePath: string;
  errors: { message: string; rule?: string; line?: number; column?: number }[];
}

async function runGplint({ root, claimsFile }: LintOptions, paths: string[]): Promise<LintResult> {
  const gplint = join(dirname(createRequire(import.meta.url).resolve('gplint/package.json')), 'bin', 'gplint.js');
  const preload = pathToFileURL(join(root, 'support/toolkit/lint/gplint-preload.ts')).href;
  const args = [
    '--import',
    'tsx',
    '--import',
    preload,
    gplint,
    '--config',
    join(root, '.gplintrc'),
    '--rulesdir',
    join(root, RULES_DIR),
    '--format',
    'json',
    ...paths,
  ];
  const env = { ...process.env, ...(claimsFile ? { [CLAIMS_FILE_ENV]: resolve(root, claimsFile) } : {}) };
  const { code, stdout, stderr } = await run(process.execPath, args, root, env);
  let results: GplintFileResult[];
  try {
    results = JSON.parse(stdout) as GplintFileResult[];
  } catch {
    throw new LintToolError(`gplint failed (exit ${code}):\n${stdout}${stderr}`);
  }
  const findings = results.flatMap((file) =>
    file.errors.map((error) => ({
      uri: shownPath(root, file.filePath),
      line: error.line ?? 1,
      column: error.column ?? 0,
      message: error.message,
      rule: error.rule ?? 'gherkin',
    })),
  );
  return { files: results.length, findings };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
