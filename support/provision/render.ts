/**
 * A plan as text: every command as a copy-pasteable shell line, every manifest in full as a
 * here-document, every wait with its bound. What `--dry-run` prints.
 */
import type { Step } from './plan.ts';
import { describeCondition } from './waits.ts';

const SAFE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

export function shellQuote(arg: string): string {
  return SAFE.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function commandLine(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

function heredocMarker(text: string): string {
  let marker = 'YAML';
  while (text.split('\n').includes(marker)) marker += '_';
  return marker;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

export function renderStep(step: Step, index: number): string {
  const lines = [`# ${index + 1}. ${step.description}`];
  if (step.kind === 'wait') {
    lines.push(
      `#    poll every ${seconds(step.intervalMs)}, for at most ${seconds(step.waitTimeoutMs)}, until ${describeCondition(step.until)}:`,
    );
  }
  if (step.kind === 'run' && step.stdin) {
    const text = step.stdin.text.endsWith('\n') ? step.stdin.text : `${step.stdin.text}\n`;
    const marker = heredocMarker(text);
    lines.push(`#    stdin: ${step.stdin.source}`);
    lines.push(`${commandLine(step.argv)} <<'${marker}'`, `${text}${marker}`);
  } else {
    lines.push(commandLine(step.argv));
  }
  return lines.join('\n');
}

export function renderPlan(title: string, steps: Step[], tools: string[]): string {
  const header = [`# ${title}`, `# Dry run: nothing below is executed. A real run needs on PATH: ${tools.join(', ')}.`];
  return [header.join('\n'), ...steps.map(renderStep)].join('\n\n') + '\n';
}
