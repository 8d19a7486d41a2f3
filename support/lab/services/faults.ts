/**
 * Faults of the Services' side that are not kube-proxy's: a backend that stops serving or
 * fails readiness, an EndpointSlice controller that stopped. Each changes the model (and, for
 * the server, the pods' processes); kube-proxy then follows the model as it would.
 */
import { readFileSync } from 'node:fs';
import type { Fault } from '../faults/faults.ts';
import { endpointSlices, type LabPod, type LabState } from '../model.ts';
import { nginxFiles } from '../servers/nginx.ts';
import { runsNginx, serverDir } from '../servers/servers.ts';

const nginxPods = (state: LabState): LabPod[] =>
  state.pods.filter((pod) => pod.workload === 'nginx-deployment').sort((a, b) => a.name.localeCompare(b.name));

function lastNginxPod(state: LabState): LabPod {
  const pod = nginxPods(state).at(-1);
  if (!pod) throw new Error('the lab has no nginx-deployment pod to break');
  return pod;
}

export const SERVICE_FAULTS: Fault[] = [
  {
    name: 'nginx-replica-not-ready',
    description: 'one nginx-deployment pod fails its readiness check (0/1 ready), so the EndpointSlice marks it not ready',
    apply: async (state) => {
      lastNginxPod(state).ready = false;
    },
  },
  {
    name: 'nginx-stopped',
    description: 'nginx has stopped in every nginx-deployment pod while the pods stay Ready (no readiness probe): connections are refused',
    apply: async (state) => {
      for (const pod of nginxPods(state).filter(runsNginx)) {
        const pid = Number(readFileSync(nginxFiles(serverDir(state.name, pod)).pid, 'utf8').trim());
        // The master is the lab's own process, ended by its PID; its workers follow it.
        if (pid > 0) process.kill(pid, 'SIGTERM');
      }
      // Wait, bounded, for the masters to be gone, so the port is closed when the run starts.
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && nginxPods(state).some((pod) => masterAlive(state, pod)))
        await new Promise((resolve) => setTimeout(resolve, 50));
    },
  },
  {
    name: 'endpointslice-stale',
    description:
      "the EndpointSlice controller stopped, then an nginx pod was relabelled app=nginx-debug: the Service's slice still lists it",
    apply: async (state) => {
      state.staleEndpointSlices = endpointSlices(state);
      const pod = lastNginxPod(state);
      pod.labels = { ...pod.labels, app: 'nginx-debug' };
    },
  },
];

function masterAlive(state: LabState, pod: LabPod): boolean {
  try {
    const pid = Number(readFileSync(nginxFiles(serverDir(state.name, pod)).pid, 'utf8').trim());
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
