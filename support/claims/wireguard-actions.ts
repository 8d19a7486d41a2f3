/**
 * The When side of lesson 13: WireGuard turned on and off in the FelixConfiguration, the
 * course's client sending its round of requests, alone, under a capture of a node's link, or
 * between two readings of the WireGuard counters.
 */
import { join } from 'node:path';
import type { ExecResult, KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { httpBody } from '../probes/http.ts';
import type { Observation } from '../probes/observation.ts';
import { podTarget } from '../subjects.ts';
import { topologyDir } from '../topology/catalogue.ts';
import {
  captureNodeLink,
  clientRound,
  clientScriptOf,
  transferWith,
  wireguardFields,
  type LinkCapture,
  type TransferSeen,
} from './wireguard.ts';

/** The course's frontend-client manifest: its loop is what the client sends. */
const CLIENT_MANIFEST = join('workloads', 'frontend-client.yaml');

/**
 * WireGuard stays as the scenarios leave it while the feature runs (turning it on and off is
 * the lesson's dearest step): the first change on a cluster keeps, until the run ends, the undo
 * that puts wireguardEnabled back as the run found it (`keepUndoForRun`, undo.ts).
 */
const foundEnabled = new Set<Cluster>();

async function patchWireguard(cluster: Cluster, value: boolean | null, keepUndoForRun: KeepUndo): Promise<void> {
  if (!foundEnabled.has(cluster)) {
    const found = (await cluster.felixConfiguration()).wireguardEnabled ?? null;
    foundEnabled.add(cluster);
    keepUndoForRun(`wireguardEnabled on ${cluster.describe()}, as the run found it (${found ?? 'unset'})`, async () => {
      foundEnabled.delete(cluster);
      await cluster.patchFelixConfiguration({ wireguardEnabled: found });
    });
  }
  await cluster.patchFelixConfiguration({ wireguardEnabled: value });
}

/** Sets wireguardEnabled, from the scenario's word. */
export async function setWireguardEnabled(cluster: Cluster, word: string, keepUndoForRun: KeepUndo): Promise<void> {
  if (word !== 'true' && word !== 'false') throw new Error(`wireguardEnabled is true or false, not "${word}"`);
  await patchWireguard(cluster, word === 'true', keepUndoForRun);
}

/** Takes the field out of the FelixConfiguration if it is there, as on a cluster where WireGuard was never enabled. */
export async function leaveWireguardUnset(cluster: Cluster, keepUndoForRun: KeepUndo): Promise<void> {
  if ('wireguardEnabled' in (await wireguardFields(cluster)).fields) await patchWireguard(cluster, null, keepUndoForRun);
}

/** Turns WireGuard on unless it is on. */
export async function keepWireguardEnabled(cluster: Cluster, keepUndoForRun: KeepUndo): Promise<void> {
  if ((await wireguardFields(cluster)).fields.wireguardEnabled !== true) await patchWireguard(cluster, true, keepUndoForRun);
}

/** The requests of one turn of the client's `while true` loop, as its manifest in the topology's folder writes them. */
export function clientRoundOf(topology: string): string {
  return clientRound(clientScriptOf(join(topologyDir(topology), CLIENT_MANIFEST)));
}

/**
 * Runs one round of the client's requests in its pod. The course's curls set no timeout: where
 * the network drops them each is cut off after CURL_TIMEOUT_S, and what crossed the link
 * until then is the finding, not the round's exit code.
 */
export async function sendClientRound(cluster: Cluster, client: PodInfo, round: string): Promise<Observation<ExecResult>> {
  // Each curl bounded (-m), so that a dropped request ends the round rather than holding its pipes open.
  const bounded = round.replace(/\bcurl /g, `curl -m ${CURL_TIMEOUT_S} `);
  const result = await cluster.exec(podTarget(client), ['sh', '-c', bounded], { timeoutMs: ROUND_TIMEOUT_MS });
  return { value: result, evidence: [result] };
}

const ROUND_TIMEOUT_MS = 15_000;
const CURL_TIMEOUT_S = 3;

/** A capture of a node's eth0 around an exchange, with the pods it was about. */
export type LinkCaptureSeen = Observation<LinkCapture>;

/** The client's round while eth0 of `node` is captured with `filter`, read back with tcpdump's `read` options. */
export async function captureClientRound(
  cluster: Cluster,
  exchange: { client: PodInfo; backend: PodInfo; round: string },
  node: string,
  filter: string[],
  read: string[],
): Promise<LinkCaptureSeen> {
  const seen = await captureNodeLink(cluster, node, filter, read, () => sendClientRound(cluster, exchange.client, exchange.round));
  return { ...seen, value: { node, client: exchange.client, backend: exchange.backend, ...seen.value } };
}

/** `from` fetches the backend's /api/health directly while eth0 of their (one) node is captured. */
export async function fetchUnderCapture(cluster: Cluster, from: PodInfo, to: PodInfo): Promise<LinkCaptureSeen> {
  if (from.node !== to.node) throw new Error(`"${from.name}" and "${to.name}" are on different nodes; this step is about one node`);
  let answer = '';
  const seen = await captureNodeLink(cluster, to.node, [], ['-A'], async () => {
    const fetched = await httpBody(cluster, podTarget(from), `http://${to.ip}:8080/api/health`);
    answer = fetched.value;
    return fetched;
  });
  return { ...seen, value: { node: to.node, client: from, backend: to, answered: answer !== '', ...seen.value } };
}

/** Reads the counters of the peer `peerNode` on the client's node before and after one round of the client's requests. */
export async function transferAroundRound(cluster: Cluster, client: PodInfo, peerNode: string, round: string): Promise<TransferSeen> {
  const before = await transferWith(cluster, client.node, peerNode);
  const sent = await sendClientRound(cluster, client, round);
  const after = await transferWith(cluster, client.node, peerNode);
  return {
    node: client.node,
    peerNode,
    before: before.value,
    after: after.value,
    evidence: [...before.evidence, ...sent.evidence, ...after.evidence],
  };
}
