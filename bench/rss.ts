/** Samples the resident memory of a process and all its descendants, for a peak figure. */
import { readFileSync, readdirSync } from 'node:fs';

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return []; // the process ended while we looked
  }
}

function rssBytes(pid: number): number {
  try {
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export function treeRss(root: number): number {
  let total = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop() as number;
    total += rssBytes(pid);
    pending.push(...children(pid));
  }
  return total;
}

/** Samples every `everyMs` until stopped; `stop()` returns the peak in bytes. */
export function treeRssSampler(root: number, everyMs = 10): { stop(): number } {
  let peak = treeRss(root);
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(root))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss(root));
    },
  };
}
