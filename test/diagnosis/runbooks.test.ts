import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Gathered } from '../../support/diagnosis/evidence.ts';
import { DEFAULT_RUNBOOK, RUNBOOKS, runbooksFor } from '../../support/diagnosis/runbooks.ts';

const gathered = (overrides: Partial<Gathered>): Gathered => ({
  source: undefined,
  target: undefined,
  nodes: [],
  sourcePodRoutes: undefined,
  sourcePodInterfaces: undefined,
  lookup: undefined,
  ipam: { pools: [], installationPools: [], affinities: [], reservations: [] },
  pods: [],
  blocks: [],
  events: undefined,
  evidence: [],
  ...overrides,
});

test('every failed claim gets a runbook: a specific one where it names the claim, else the default', () => {
  assert.deepEqual(
    runbooksFor(['L03-07']).map((runbook) => runbook.title),
    RUNBOOKS.filter((runbook) => runbook.claims.includes('L03-07')).map((runbook) => runbook.title),
  );
  assert.deepEqual(runbooksFor(['L02-01']), [DEFAULT_RUNBOOK]);
  assert.deepEqual(runbooksFor([]), [DEFAULT_RUNBOOK]);
});

test("the default runbook points at a live cluster's warning events", () => {
  const events = [
    {
      object: 'Pod/multitool-1-abcde',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count: 4,
      lastSeen: undefined,
    },
    {
      object: 'Pod/multitool-1-abcde',
      type: 'Normal',
      reason: 'Pulled',
      message: 'Container image already present',
      count: 1,
      lastSeen: undefined,
    },
  ];
  assert.deepEqual(DEFAULT_RUNBOOK.causes(gathered({ events })), [
    'Pod/multitool-1-abcde: BackOff — Back-off restarting failed container (4 times)',
  ]);
  assert.deepEqual(DEFAULT_RUNBOOK.causes(gathered({})), []);
});
