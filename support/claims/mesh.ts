/** NET-02: every pod reaches every other pod at its own IP, without NAT — checked as a full mesh. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { type Verdict, verdict } from '../evidence.ts';
import { probeMesh, type MeshCell } from '../probes/mesh.ts';

type CellState = 'ok' | 'unreachable' | 'nat' | 'unseen';

function cellState(cell: MeshCell): CellState {
  if (!cell.reachable) return 'unreachable';
  if (cell.arrivedFrom === undefined) return 'ok';
  if (cell.arrivedFrom.includes(cell.from.ip as string)) return 'ok';
  return cell.arrivedFrom.length ? 'nat' : 'unseen';
}

const MARK: Record<CellState, string> = { ok: '✓', unreachable: '✗', nat: 'NAT', unseen: '?' };

/** Sources × destinations, with the wrong cells marked. */
export function formatMeshMatrix(pods: PodInfo[], cells: MeshCell[]): string {
  const label = (pod: PodInfo) => `${pod.name} (${pod.ip})`;
  const width = Math.max(...pods.map((pod) => label(pod).length));
  const columns = pods.map((_, index) => `#${index + 1}`);
  const header = `${'from \\ to'.padEnd(width)}  ${columns.map((column) => column.padStart(4)).join('')}`;
  const rows = pods.map((from, index) => {
    const marks = pods.map((to) =>
      to === from ? '—' : MARK[cellState(cells.find((cell) => cell.from === from && cell.to === to) as MeshCell)],
    );
    return `${`#${index + 1} ${label(from)}`.padEnd(width + 4)}${marks.map((mark) => mark.padStart(4)).join('')}`;
  });
  return [
    header,
    ...rows,
    '',
    '✓ reached at its own IP   ✗ no reply   NAT arrived from another address   ? reply, but the capture saw no request',
  ].join('\n');
}

function describeCell(cell: MeshCell): string {
  const state = cellState(cell);
  const what =
    state === 'nat'
      ? `arrived from ${cell.arrivedFrom?.join(', ')}`
      : state === 'unreachable'
        ? 'no reply'
        : 'reply, but no request in the capture';
  return `${cell.from.name} → ${cell.to.name} (${cell.to.ip}): ${what}`;
}

export async function fullMesh(cluster: Cluster, pods: PodInfo[], capture: boolean): Promise<Verdict> {
  const seen = await probeMesh(cluster, pods, { capture });
  const wrong = seen.value.filter((cell) => cellState(cell) !== 'ok');
  return verdict(
    pods.length > 1 && wrong.length === 0,
    `every one of ${pods.length} pods to reach every other pod at its own IP${capture ? ', arriving with the source pod’s own IP (no NAT)' : ''} (${seen.value.length} pairs)`,
    wrong.length === 0
      ? `all ${seen.value.length} pairs as expected`
      : `${wrong.length} of ${seen.value.length} pairs wrong: ${wrong.map(describeCell).join('; ')}`,
    seen.evidence,
    [{ fileName: 'mesh-matrix.txt', mediaType: 'text/plain', body: formatMeshMatrix(pods, seen.value) }, ...(seen.files ?? [])],
  );
}

/** NET-02 over the suite's own pods (host-network pods aside), with a capture on every receiver. */
export async function suiteMesh(cluster: Cluster): Promise<Verdict> {
  const pods = (await cluster.pods({ namespace: cluster.workloadNamespace })).filter((pod) => !pod.hostNetwork && pod.phase === 'Running');
  return fullMesh(cluster, pods, true);
}
