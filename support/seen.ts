/**
 * What a scenario's When steps saw, one record per kind, for the Thens after them (issue 20).
 * A When keeps what it saw (`keep`); a Then reads it (`read`), or learns which When to add; a
 * later When of the same kind replaces the record. A When whose records no Then read checked
 * nothing, and `unread` names it, step by step (the hooks fail such a passing scenario, as
 * cucumber-js's own suite guards its lastRun). The report's pictures and the diagnosis `peek`:
 * they are no Then and do not count.
 */
import type { CaptureSeen, PingSeen } from './claims/traffic-actions.ts';
import type { OutsidePingCapture } from './claims/nat-outgoing.ts';
import type { WireCapture } from './claims/encapsulation.ts';
import type { PacketCapture } from './claims/mtu.ts';
import type { Fetched } from './probes/https.ts';
import type { Observation } from './probes/observation.ts';

/**
 * The kinds of record, and what each holds. A step file adds its own kinds by declaration
 * merging: `declare module '../support/seen.ts' { interface Seen { iperf: …; } }`.
 */
export interface Seen {
  /** A ping between pods (also under a capture): its ends and replies; the path picture draws it. */
  ping: PingSeen;
  /** A ping under a capture at its destination pod. */
  capture: CaptureSeen;
  /** A ping to a node under a capture at that node (natOutgoing). */
  outsideCapture: OutsidePingCapture;
  /** A capture on a node's link or on the router (tcpdump -vv: headers and what they carry). */
  wireCapture: WireCapture;
  /** An HTTPS fetch, with where it ran. */
  fetch: { from: string; observation: Observation<Fetched> };
  /** A verbose capture around an action. */
  packetCapture: PacketCapture<unknown>;
}

interface Kept {
  record: unknown;
  /** The step that kept it (its place in the scenario, from 1). */
  step: number;
  read: boolean;
}

export class SeenRecords {
  /** The step running now (the World's BeforeStep hook counts it). */
  step = 0;
  private readonly kept = new Map<keyof Seen, Kept>();

  keep<K extends keyof Seen>(kind: K, record: Seen[K]): Seen[K] {
    this.kept.set(kind, { record, step: this.step, read: false });
    return record;
  }

  read<K extends keyof Seen>(kind: K, whenToAdd: string): Seen[K] {
    const kept = this.kept.get(kind);
    if (!kept) throw new Error(`no ${kind} in this scenario yet; add ${whenToAdd}`);
    kept.read = true;
    return kept.record as Seen[K];
  }

  peek<K extends keyof Seen>(kind: K): Seen[K] | undefined {
    return this.kept.get(kind)?.record as Seen[K] | undefined;
  }

  /** The steps that kept records of which no Then read any, with their kinds; reading one of a step's records is enough. */
  unread(): { step: number; kinds: (keyof Seen)[] }[] {
    const byStep = new Map<number, { kinds: (keyof Seen)[]; read: boolean }>();
    for (const [kind, kept] of this.kept) {
      const step = byStep.get(kept.step) ?? { kinds: [], read: false };
      step.kinds.push(kind);
      step.read ||= kept.read;
      byStep.set(kept.step, step);
    }
    return [...byStep].filter(([, step]) => !step.read).map(([step, { kinds }]) => ({ step, kinds }));
  }
}
