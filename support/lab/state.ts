/**
 * The lab's state file: how a second process (a cucumber worker, another terminal) finds a
 * running lab, and how `lab:down` knows what a crashed run left. Kept under /run, which,
 * like network namespaces, does not outlive a reboot.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../domain.ts';
import type { LabState } from './model.ts';

export function stateDir(): string {
  return process.env.PODNET_STATE_DIR ?? '/run/podnet-e2e';
}

export function statePath(labName: string): string {
  return join(stateDir(), `${labName}.json`);
}

export function readState(labName: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(labName), 'utf8');
  } catch {
    return undefined;
  }
  let state: LabState;
  try {
    state = JSON.parse(text) as LabState;
  } catch (error) {
    // A state file cut short (a full disk, a copy interrupted) is bad state, not a crash of ours.
    throw new EnvironmentError(
      `${statePath(labName)}, the state file of lab ${labName}, cannot be read: ${(error as Error).message}`,
      `clear the lab with npm run lab:down -- --name ${labName}`,
    );
  }
  if (state?.version !== 1)
    throw new EnvironmentError(
      `${statePath(labName)} was written by another version of podnet-e2e`,
      `clear the lab with npm run lab:down -- --name ${labName}`,
    );
  return state;
}

/** The last state read for reading only, per lab, with the identity of the file it came from. */
const snapshots = new Map<string, { file: string; state: LabState }>();

/**
 * The lab's state for reading only, frozen: parsed again only when the file has changed. The
 * state file is replaced (renamed over) on every write, so its inode, size and mtime change
 * with its contents; a run reads it before each of its commands, and parsing it each time was a
 * good part of the suite's own CPU (about 0.5 s per whole run, measured with --cpu-prof).
 */
export function readStateSnapshot(labName: string): Readonly<LabState> | undefined {
  let file: string;
  try {
    const stat = statSync(statePath(labName), { bigint: true });
    file = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    snapshots.delete(labName);
    return undefined;
  }
  const known = snapshots.get(labName);
  if (known?.file === file) return known.state;
  const state = readState(labName);
  if (!state) return undefined;
  snapshots.set(labName, { file, state: deepFreeze(state) });
  return state;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Writes atomically (rename), so a reader never sees half a file. */
export function writeState(state: LabState): void {
  mkdirSync(stateDir(), { recursive: true });
  const target = statePath(state.name);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, target);
}

export function removeState(labName: string): void {
  rmSync(statePath(labName), { force: true });
  rmSync(lockPath(labName), { recursive: true, force: true });
}

function lockPath(labName: string): string {
  return `${statePath(labName)}.lock`;
}

/** A lock whose owner is gone (a run ended by a signal in the middle of a change) is broken. */
function lockIsStale(lock: string): boolean {
  try {
    const owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function listStates(): string[] {
  try {
    return readdirSync(stateDir())
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}

/**
 * Runs `change` on the freshest state under an exclusive lock, then saves it: pods created
 * by two workers at once must not be handed the same address.
 */
export async function updateState<T>(labName: string, change: (state: LabState) => Promise<T> | T): Promise<T> {
  const lock = lockPath(labName);
  mkdirSync(stateDir(), { recursive: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`lab ${labName} is locked by another process (${lock}); if none runs, remove it`);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    const state = readState(labName);
    if (!state) throw new Error(`no lab named ${labName} is running (no ${statePath(labName)})`);
    const result = await change(state);
    writeState(state);
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
