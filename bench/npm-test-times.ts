/**
 * Where `npm test` spends its time, as its last run recorded it (scripts/test.sh writes
 * reports/npm-test-times.txt: `<seconds> <what>` a line): the rows the bench prints, each
 * against the goal of the whole proof (15 minutes on two cores).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';

export const NPM_TEST_TIMES = 'reports/npm-test-times.txt';
const WHOLE_GOAL_S = 15 * 60;

export interface StepTime {
  seconds: number;
  what: string;
}

export function parseTestTimes(text: string): StepTime[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line, index) => {
      const match = /^(\d+) (.+)$/.exec(line);
      if (!match) throw new Error(`${NPM_TEST_TIMES}:${index + 1}: not "<seconds> <what>": ${line}`);
      return { seconds: Number(match[1]), what: match[2] as string };
    });
}

/** The bench's rows: [measure, runs, median, spread, note]; none when npm test has not run here. */
export function npmTestRows(file = NPM_TEST_TIMES): string[][] {
  if (!existsSync(file)) return [['npm test: no record yet (run npm test first)', '', '', '', '']];
  const when = statSync(file).mtime.toISOString().slice(0, 16).replace('T', ' ');
  return parseTestTimes(readFileSync(file, 'utf8')).map(({ seconds, what }) => {
    const whole = what === 'npm test in all';
    const note = whole ? `goal ≤ ${WHOLE_GOAL_S / 60} min: ${seconds <= WHOLE_GOAL_S ? 'met' : 'not met'}` : `recorded ${when}`;
    return [`npm test: ${what}`, '1', `${(seconds / 60).toFixed(1)} min`, '', note];
  });
}
