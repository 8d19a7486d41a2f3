/**
 * What a wait step waits for, and pure judges that read one poll's output (`kubectl get … -o json`)
 * and say whether the condition holds, with a one-line summary of what was seen.
 */

export type WaitCondition = { type: 'tigerastatus-available'; names: string[] } | { type: 'nodes-ready'; count: number };

export interface Seen {
  done: boolean;
  /** One line: what this poll saw, printed as progress and quoted on a timeout. */
  summary: string;
}

export function describeCondition(condition: WaitCondition): string {
  switch (condition.type) {
    case 'tigerastatus-available':
      return `TigeraStatus ${condition.names.join(', ')} Available`;
    case 'nodes-ready':
      return `all ${condition.count} nodes Ready`;
  }
}

export function judge(condition: WaitCondition, stdout: string): Seen {
  let list: unknown;
  try {
    list = JSON.parse(stdout);
  } catch {
    return { done: false, summary: `unreadable output: ${stdout.trim().slice(0, 80) || '(empty)'}` };
  }
  const items = itemsOf(list);
  switch (condition.type) {
    case 'tigerastatus-available':
      return judgeTigeraStatus(condition.names, items);
    case 'nodes-ready':
      return judgeNodesReady(condition.count, items);
  }
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

interface Item {
  metadata?: { name?: string };
  status?: { conditions?: Condition[] };
}

function itemsOf(list: unknown): Item[] {
  const items = (list as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? (items as Item[]) : [];
}

function conditionOf(item: Item, type: string): Condition | undefined {
  return item.status?.conditions?.find((c) => c.type === type);
}

function judgeTigeraStatus(names: string[], items: Item[]): Seen {
  const parts = names.map((name) => {
    const item = items.find((i) => i.metadata?.name === name);
    if (!item) return { ok: false, text: `${name}: not reported yet` };
    if (conditionOf(item, 'Available')?.status === 'True') return { ok: true, text: `${name}: Available` };
    const why = ['Degraded', 'Progressing'].map((type) => conditionOf(item, type)).find((c) => c?.status === 'True');
    return { ok: false, text: `${name}: not Available${why ? ` (${why.type}: ${why.message || why.reason || 'no message'})` : ''}` };
  });
  return { done: parts.every((p) => p.ok), summary: parts.map((p) => p.text).join('; ') };
}

function judgeNodesReady(count: number, items: Item[]): Seen {
  const notReady = items.filter((node) => conditionOf(node, 'Ready')?.status !== 'True');
  const ready = items.length - notReady.length;
  const details = notReady.map((node) => {
    const c = conditionOf(node, 'Ready');
    return `${node.metadata?.name ?? '?'} NotReady${c?.reason ? ` (${c.reason})` : ''}`;
  });
  const summary = `${ready}/${count} nodes Ready${details.length ? `: ${details.join(', ')}` : ''}`;
  return { done: items.length >= count && notReady.length === 0, summary };
}
